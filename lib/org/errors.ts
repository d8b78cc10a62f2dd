import { ProfileGuardError } from '../errors.js';

/**
 * Failures of one target (an account, or an account-region) of an organization. Each is reported on
 * that target's own line and never stops the others; none is retryable: the same role, SCP, account
 * status or region setting fails the same way until someone changes it.
 */
export abstract class TargetError extends ProfileGuardError {
  readonly retryable = false;
}

/** AssumeRole into the member role was refused (no role yet, a trust policy that does not name the hub, an SCP). */
export class MemberRoleDeniedError extends TargetError {}

/** The account is suspended (or closed): no call is made to it. */
export class AccountSuspendedError extends TargetError {}

/** A service control policy of the organization denies an EC2 call in the account. */
export class ScpDeniedError extends TargetError {}

/** The region is not enabled for the account (opt-in regions), so its endpoints refuse the credentials. */
export class RegionNotEnabledError extends TargetError {}

/** The event says two different things about where it happened (envelope vs CloudTrail detail). */
export class TargetMismatchError extends TargetError {}
