/**
 * Exceptions: an instance opts out of profile-guard with the mapping's opt-out tag.
 *
 *   true               opted out, no end date
 *   until:2026-12-31   opted out through that day (UTC); from 2027-01-01T00:00Z on it is managed again
 *
 * Any other value (`false`, empty) is no exception, as it always was. A value that starts with
 * `until:` but carries no valid date is hostile input: the instance is left alone (someone meant
 * to exempt it) and the reason names the tag, the value and the expected form, so the report says
 * how to fix it. Pure: the caller passes the clock.
 */
export type OptOut =
  | { kind: 'none' }
  | { kind: 'active'; reason: string; until?: Date | undefined }
  | { kind: 'malformed'; reason: string }
  | { kind: 'expired'; expiredAt: Date; reason: string };

const UNTIL = /^until:(\d{4})-(\d{2})-(\d{2})$/;

export function optOutOf(tagKey: string, value: string | undefined, now: Date): OptOut {
  if (value === 'true') return { kind: 'active', reason: `opted out with tag ${tagKey}=true` };
  if (value === undefined || !value.startsWith('until:')) return { kind: 'none' };
  const end = endOfDay(value);
  if (!end) {
    const reason = `opted out: tag ${tagKey}=${JSON.stringify(value)} is not "true" or "until:YYYY-MM-DD"; left alone until the tag is fixed`;
    return { kind: 'malformed', reason };
  }
  if (now.getTime() < end.getTime()) return { kind: 'active', until: end, reason: `opted out with tag ${tagKey}=${value} (until ${end.toISOString()})` };
  return { kind: 'expired', expiredAt: end, reason: `the exception ${tagKey}=${value} expired at ${end.toISOString()}` };
}

/** True when decide() must leave the instance alone. */
export function exempts(optOut: OptOut): optOut is Extract<OptOut, { kind: 'active' | 'malformed' }> {
  return optOut.kind === 'active' || optOut.kind === 'malformed';
}

/** The first instant after the named day (UTC), or undefined for a date that does not exist (2026-02-30). */
function endOfDay(value: string): Date | undefined {
  const m = UNTIL.exec(value);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const start = new Date(Date.UTC(year, month - 1, day));
  if (start.getUTCFullYear() !== year || start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day) return undefined;
  return new Date(start.getTime() + 86_400_000);
}

/**
 * "Reported once, when it expires", without keeping state: an expiry is news to exactly one sweep,
 * the first one that runs after it. With sweeps every `periodMs`, that is the sweep whose previous
 * run came before the expiry: expiry in (now - period, now]. A sweep that fails in that window loses
 * the notice (its heartbeat and error alarms fire instead); the instance is managed again either way.
 */
export function expiredWithin(optOut: OptOut, now: Date, periodMs: number): boolean {
  if (optOut.kind !== 'expired') return false;
  const age = now.getTime() - optOut.expiredAt.getTime();
  return age >= 0 && age < periodMs;
}

/** The EC2 filter that lists only instances carrying a dated exception (one page per 1,000 of them). */
export function datedExceptionFilter(tagKey: string): { Name: string; Values: string[] } {
  return { Name: `tag:${tagKey}`, Values: ['until:*'] };
}
