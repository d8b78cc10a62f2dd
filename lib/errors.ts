/**
 * Every failure profile-guard knows about has a name that says what happened and a
 * `retryable` flag that says whether trying again can help. The engine uses the flag to
 * decide whether the invocation throws (so Lambda retries, then the DLQ) or just reports.
 */
export abstract class ProfileGuardError extends Error {
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The mapping file is not valid; nothing may be touched until it is fixed. */
export class MappingInvalidError extends ProfileGuardError {
  readonly retryable = false;
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}: invalid mapping:\n  - ${problems.join('\n  - ')}`);
  }
}

/** An environment variable is missing or malformed. */
export class ConfigInvalidError extends ProfileGuardError {
  readonly retryable = false;
}

/** An event did not have a shape profile-guard understands. Retrying the same bytes cannot help. */
export class EventRejectedError extends ProfileGuardError {
  readonly retryable = false;
}

/** The instance is pending or stopping; EC2 refuses association calls until it settles. */
export class InstanceNotReadyError extends ProfileGuardError {
  readonly retryable = true;
}

/** Another actor changed the association between our read and our write. Re-read and decide again. */
export class AssociationRaceError extends ProfileGuardError {
  readonly retryable = true;
}

/** The association is still associating or disassociating; a later attempt will see it settled. */
export class AssociationInTransitionError extends ProfileGuardError {
  readonly retryable = true;
}

/** EC2 does not (yet) see the instance profile: IAM is eventually consistent, or it does not exist. */
export class ProfileNotVisibleError extends ProfileGuardError {
  readonly retryable = true;
}

/** EC2 or IAM refused the call for lack of permission; retrying cannot help until the policy changes. */
export class PermissionDeniedError extends ProfileGuardError {
  readonly retryable = false;
}

/** EC2's request token bucket is empty even after the SDK's own adaptive retries. */
export class ThrottledError extends ProfileGuardError {
  readonly retryable = true;
}

/** An AWS error profile-guard has no specific handling for. */
export class UnexpectedAwsError extends ProfileGuardError {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Publishing the report failed; the report was sent to the DLQ instead (or logged when that failed too). */
export class ReportNotPublishedError extends ProfileGuardError {
  readonly retryable = false;
}

export function describeError(error: unknown): { name: string; message: string; retryable: boolean } {
  if (error instanceof ProfileGuardError) {
    return { name: error.name, message: error.message, retryable: error.retryable };
  }
  if (error instanceof Error) return { name: error.name, message: error.message, retryable: false };
  return { name: 'UnknownError', message: String(error), retryable: false };
}

/** EC2 no longer knows the instance (terminated and gone): nothing to do. */
export class InstanceGoneError extends ProfileGuardError {
  readonly retryable = false;
}

/** The invocation is about to run out of time; the work not started is left for the retry. */
export class OutOfTimeError extends ProfileGuardError {
  readonly retryable = true;
}
