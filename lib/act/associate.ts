import { AssociateIamInstanceProfileCommand } from '@aws-sdk/client-ec2';
import { AssociationRaceError, ProfileNotVisibleError } from '../errors.js';
import type { ActDeps } from './deps.js';
import { callEc2 } from './send.js';

export const associatePermissions = ['ec2:AssociateIamInstanceProfile', 'iam:PassRole'] as const;

export interface AssociateOptions {
  /** Set right after our own disassociate: EC2 may still report the old association for a moment. */
  afterDisassociate?: boolean;
}

export async function associateProfile(deps: ActDeps, instanceId: string, profile: string, options: AssociateOptions = {}): Promise<void> {
  // IAM is eventually consistent: a profile created seconds ago is "invalid" to EC2 for a little while.
  const when = (error: unknown) => error instanceof ProfileNotVisibleError || (options.afterDisassociate === true && error instanceof AssociationRaceError);
  await callEc2(
    () => deps.ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Name: profile } })),
    { operation: 'AssociateIamInstanceProfile', instanceId, profile },
    { when, backoff: deps.backoff },
  );
}
