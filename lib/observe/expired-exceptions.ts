import type { EC2Client } from '@aws-sdk/client-ec2';
import { type CallScope, describeInstancePages } from '../aws/ec2.js';
import { datedExceptionFilter, expiredWithin, optOutOf } from '../exceptions.js';

export interface ExpiredException {
  instanceId: string;
  /** The tag value as found, e.g. until:2026-12-31. */
  value: string;
  expiredAt: Date;
  /** First seen by this sweep: reported now, and never again (lib/exceptions.ts, expiredWithin). */
  newlyExpired: boolean;
}

/**
 * The live instances whose dated exception has expired. One DescribeInstances (a page per 1,000)
 * that EC2 filters to instances carrying `until:` in the opt-out tag, so the cost does not grow
 * with the fleet. decide() already treats these as not exempt; this finds them to report.
 */
export async function scanExpiredExceptions(ec2: EC2Client, tagKey: string, now: Date, periodMs: number, scope: CallScope = {}): Promise<ExpiredException[]> {
  const filters = [datedExceptionFilter(tagKey), { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }];
  const expired: ExpiredException[] = [];
  for await (const page of describeInstancePages(ec2, { filters }, scope)) {
    for (const instance of page) {
      const value = instance.Tags?.find((t) => t.Key === tagKey)?.Value;
      const optOut = optOutOf(tagKey, value, now);
      if (!instance.InstanceId || !value || optOut.kind !== 'expired') continue;
      expired.push({ instanceId: instance.InstanceId, value, expiredAt: optOut.expiredAt, newlyExpired: expiredWithin(optOut, now, periodMs) });
    }
  }
  return expired;
}
