import type { ErrorShape } from './vocabulary.js';

/**
 * Every failure profile-guard knows about has a name that says what happened and a
 * `retryable` flag that says whether trying again can help. An instance that failed with a
 * retryable error makes the event handler throw after its report is out, so Lambda's async
 * retries (then the DLQ and `profile-guard redrive`) finish the job; a non-retryable one is
 * reported and left for a human.
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

/**
 * AWS could not be reached: connection reset, refused, timed out, socket hang up, even after
 * the SDK's own retries. Whether a write took effect is unknown; a retry re-reads first.
 */
export class AwsUnreachableError extends ProfileGuardError {
  readonly retryable = true;
}

/**
 * A stopped instance's wrong profile was detached but the right one could not be attached.
 * `profileNow` says what the instance wears now: the old profile put back, or nothing.
 */
export class AttachAfterDetachFailedError extends ProfileGuardError {
  constructor(
    message: string,
    readonly profileNow: string | undefined,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
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

/** The error as logs, reports and the DLQ carry it; its shape is errorShapeSchema (lib/vocabulary.ts). */
export function describeError(error: unknown): ErrorShape {
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
