import type { Target } from '../aws/credentials.js';
import { isAccount, isObject, isRegion } from '../events/fields.js';

/**
 * Where a forwarded event happened. The envelope's account and region are the member's (a
 * cross-account EventBridge target keeps them); CloudTrail's detail says the same thing again in
 * `recipientAccountId` and `awsRegion`. When both are present they must agree: an event that says
 * two things about where to act is rejected, never acted on in either place.
 */
export function targetOfEvent(raw: unknown, fallback: Target): { target: Target } | { mismatch: string } {
  const event = isObject(raw) ? raw : {};
  const detail = isObject(event.detail) ? event.detail : {};
  const account = isAccount(event.account) ? event.account : fallback.account;
  const region = isRegion(event.region) ? event.region : fallback.region;
  if (detail.recipientAccountId !== undefined && detail.recipientAccountId !== account) {
    return {
      mismatch: `the event is for account ${account} but its detail.recipientAccountId says ${isAccount(detail.recipientAccountId) ? detail.recipientAccountId : '(not an account id)'}`,
    };
  }
  if (detail.awsRegion !== undefined && detail.awsRegion !== region) {
    return { mismatch: `the event is for region ${region} but its detail.awsRegion says ${isRegion(detail.awsRegion) ? detail.awsRegion : '(not a region)'}` };
  }
  return { target: { account, region } };
}
