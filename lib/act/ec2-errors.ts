import {
  AssociationRaceError,
  InstanceGoneError,
  InstanceNotReadyError,
  PermissionDeniedError,
  ProfileGuardError,
  ProfileNotVisibleError,
  ThrottledError,
  UnexpectedAwsError,
} from '../errors.js';

export interface CallContext {
  operation: string;
  instanceId?: string | undefined;
  profile?: string | undefined;
}

interface AwsErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const PERMISSION_ERRORS = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation']);
const THROTTLING_ERRORS = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'TooManyRequestsException']);

/** Turns an SDK error from an EC2 call into the named error that says what happened and whether retrying helps. */
export function translateEc2Error(error: unknown, context: CallContext): ProfileGuardError {
  if (error instanceof ProfileGuardError) return error;
  const aws = (error ?? {}) as AwsErrorShape;
  const name = aws.name ?? 'UnknownError';
  const message = aws.message ?? String(error);
  const subject = context.instanceId ? `${context.operation} on ${context.instanceId}` : context.operation;
  const options = { cause: error };

  if (name === 'InvalidInstanceID.NotFound' || name === 'InvalidInstanceID.Malformed') {
    return new InstanceGoneError(`${subject}: instance does not exist (${message})`, options);
  }
  if (name === 'IncorrectInstanceState') {
    return new InstanceNotReadyError(`${subject}: instance is not running or stopped yet (${message})`, options);
  }
  // "There is an existing association", or the association we read is gone or changed: someone raced us.
  if (name === 'IncorrectState' || name === 'InvalidAssociationID.NotFound') {
    return new AssociationRaceError(`${subject}: the association changed under us (${name}: ${message})`, options);
  }
  // AWS says InvalidParameterValue "Invalid IAM Instance Profile name" while IAM propagates; moto says NoSuchEntity.
  if ((name === 'InvalidParameterValue' && /iam ?instance ?profile/i.test(message)) || name === 'NoSuchEntity') {
    return new ProfileNotVisibleError(`${subject}: EC2 does not see instance profile ${context.profile ?? '?'} (${message})`, options);
  }
  if (PERMISSION_ERRORS.has(name)) {
    return new PermissionDeniedError(`${subject}: ${name}; ${missingPermissionHint(context)}`, options);
  }
  if (THROTTLING_ERRORS.has(name)) {
    return new ThrottledError(`${subject}: throttled by EC2 after the SDK's retries (${name})`, options);
  }
  const status = aws.$metadata?.httpStatusCode ?? 0;
  return new UnexpectedAwsError(`${subject}: ${name}: ${message}`, status >= 500 || aws.$retryable !== undefined, options);
}

/** The permission the function role most likely lacks, said in the words of an IAM policy. */
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
