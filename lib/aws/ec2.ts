import {
  AssociateIamInstanceProfileCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DisassociateIamInstanceProfileCommand,
  type EC2Client,
  type Filter,
  type IamInstanceProfileAssociation,
  type Instance,
  ModifyInstanceMetadataOptionsCommand,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import { AssociationRaceError, InstanceGoneError, InstanceNotReadyError, type ProfileGuardError, ProfileNotVisibleError } from '../errors.js';
import { type AwsErrorShape, type CallContext, sendTranslated, subjectOf, translateAwsError } from './errors.js';
import { operation } from './operations.js';

/** Every EC2 operation profile-guard sends and the IAM actions each needs. */
export const EC2_OPERATIONS = {
  describeInstances: operation('ec2:DescribeInstances'),
  describeAssociations: operation('ec2:DescribeIamInstanceProfileAssociations'),
  // Attaching a profile passes its role to EC2.
  associate: operation('ec2:AssociateIamInstanceProfile', ['ec2:AssociateIamInstanceProfile', 'iam:PassRole']),
  replace: operation('ec2:ReplaceIamInstanceProfileAssociation', ['ec2:ReplaceIamInstanceProfileAssociation', 'iam:PassRole']),
  disassociate: operation('ec2:DisassociateIamInstanceProfile'),
  modifyMetadataOptions: operation('ec2:ModifyInstanceMetadataOptions'),
} as const;

/** What every call may carry: the invocation's abort signal (see lib/deadline.ts). */
export interface CallScope {
  signal?: AbortSignal | undefined;
}

/** Turns an SDK error from an EC2 call into the named error that says what happened and whether retrying helps. */
export function translateEc2Error(error: unknown, context: CallContext): ProfileGuardError {
  const aws = (error ?? {}) as AwsErrorShape;
  const name = aws.name ?? '';
  const message = aws.message ?? String(error);
  const subject = subjectOf(context);
  const options = { cause: error };
  if (name === 'InvalidInstanceID.NotFound' || name === 'InvalidInstanceID.Malformed') {
    return new InstanceGoneError(`${subject}: instance does not exist (${message})`, options);
  }
  if (name === 'IncorrectInstanceState') {
    return new InstanceNotReadyError(`${subject}: instance is not running or stopped yet (${message})`, options);
  }
  // "There is an existing association", or the association we read is gone or changed: someone raced us
  // (or a retried request of ours already took effect).
  if (name === 'IncorrectState' || name === 'InvalidAssociationID.NotFound') {
    return new AssociationRaceError(`${subject}: the association changed under us (${name}: ${message})`, options);
  }
  // AWS says InvalidParameterValue "Invalid IAM Instance Profile name" while IAM propagates; moto says NoSuchEntity.
  if ((name === 'InvalidParameterValue' && /iam ?instance ?profile/i.test(message)) || name === 'NoSuchEntity') {
    return new ProfileNotVisibleError(`${subject}: EC2 does not see instance profile ${context.profile ?? '?'} (${message})`, options);
  }
  return translateAwsError(error, context, missingPermissionHint);
}

/** The permission the caller most likely lacks, said in the words of an IAM policy. */
function missingPermissionHint(context: CallContext): string {
  const action = `ec2:${context.operation}`;
  if (context.operation === 'AssociateIamInstanceProfile' || context.operation === 'ReplaceIamInstanceProfileAssociation') {
    return (
      `the role likely lacks iam:PassRole on the role inside instance profile ${context.profile ?? '?'} ` +
      `(with iam:PassedToService=ec2.amazonaws.com), or ${action} for that profile (ec2:NewInstanceProfile); ` +
      'add the profile to the mapping and redeploy so the generated policy grants both'
    );
  }
  return `the role likely lacks ${action}`;
}

const call = <T>(send: () => Promise<T>, context: CallContext) => sendTranslated(send, (error) => translateEc2Error(error, context));

/** DescribeInstances, page by page; `onPage` counts the calls. */
export async function* describeInstancePages(
  ec2: EC2Client,
  input: { filters: Filter[]; pageSize?: number },
  scope: CallScope = {},
  onPage?: () => void,
): AsyncGenerator<Instance[]> {
  let nextToken: string | undefined;
  do {
    const page = await call(
      () => ec2.send(new DescribeInstancesCommand({ Filters: input.filters, MaxResults: input.pageSize, NextToken: nextToken }), { abortSignal: scope.signal }),
      { operation: 'DescribeInstances' },
    );
    onPage?.();
    yield (page.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    nextToken = page.NextToken;
  } while (nextToken);
}

/** Current (not yet disassociated) associations of up to 200 instances, every page; `onPage` counts the calls. */
export async function describeAssociations(
  ec2: EC2Client,
  instanceIds: readonly string[],
  scope: CallScope = {},
  onPage?: () => void,
): Promise<IamInstanceProfileAssociation[]> {
  const all: IamInstanceProfileAssociation[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call(
      () =>
        ec2.send(
          new DescribeIamInstanceProfileAssociationsCommand({
            // Disassociated associations linger in AWS for a while; they are history, not the current profile.
            Filters: [
              { Name: 'instance-id', Values: [...instanceIds] },
              { Name: 'state', Values: ['associating', 'associated', 'disassociating'] },
            ],
            NextToken: nextToken,
          }),
          { abortSignal: scope.signal },
        ),
      { operation: 'DescribeIamInstanceProfileAssociations' },
    );
    onPage?.();
    all.push(...(page.IamInstanceProfileAssociations ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return all;
}

export async function associateProfile(ec2: EC2Client, instanceId: string, profile: string, scope: CallScope = {}): Promise<void> {
  await call(
    () => ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Name: profile } }), { abortSignal: scope.signal }),
    {
      operation: 'AssociateIamInstanceProfile',
      instanceId,
      profile,
    },
  );
}

export async function replaceAssociation(ec2: EC2Client, instanceId: string, associationId: string, profile: string, scope: CallScope = {}): Promise<void> {
  await call(
    () =>
      ec2.send(new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: associationId, IamInstanceProfile: { Name: profile } }), {
        abortSignal: scope.signal,
      }),
    { operation: 'ReplaceIamInstanceProfileAssociation', instanceId, profile },
  );
}

export async function disassociateProfile(ec2: EC2Client, instanceId: string, associationId: string, scope: CallScope = {}): Promise<void> {
  await call(() => ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: associationId }), { abortSignal: scope.signal }), {
    operation: 'DisassociateIamInstanceProfile',
    instanceId,
  });
}

/**
 * HttpTokens=required. HttpEndpoint is sent only when asked: a metadata endpoint its owner turned
 * off stays off unless the mapping's rule says `imdsEndpoint: enabled`.
 */
export async function requireImdsv2Tokens(
  ec2: EC2Client,
  instanceId: string,
  options: { enableEndpoint?: boolean | undefined } = {},
  scope: CallScope = {},
): Promise<void> {
  const endpoint = options.enableEndpoint ? { HttpEndpoint: 'enabled' as const } : {};
  await call(
    () => ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: instanceId, HttpTokens: 'required', ...endpoint }), { abortSignal: scope.signal }),
    { operation: 'ModifyInstanceMetadataOptions', instanceId },
  );
}
