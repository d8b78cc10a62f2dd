import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { decide } from '../../lib/decide.js';
import { exempts, expiredWithin, optOutOf } from '../../lib/exceptions.js';
import { parseMapping } from '../../lib/mapping/load.js';
import type { InstanceFacts } from '../../lib/model.js';
import { scanExpiredExceptions } from '../../lib/observe/expired-exceptions.js';
import { describeInstancesOutput } from '../../support/ec2-mock.js';

const TAG = 'profile-guard:ignore';
const at = (iso: string) => new Date(iso);
const mapping = parseMapping(`
version: 1
optOutTag: ${TAG}
rules:
  - name: web
    match: { tags: { app: "web-*" } }
    profile: WebProfile
`);
const facts = (tags: Record<string, string>): InstanceFacts => ({
  instanceId: 'i-0123456789abcdef0',
  state: 'running',
  tags: new Map(Object.entries({ app: 'web-1', ...tags })),
});

describe('the opt-out tag with an end date', () => {
  it('"true" exempts for ever, with the reason the reports always gave', () => {
    expect(optOutOf(TAG, 'true', at('2099-01-01T00:00:00Z'))).toEqual({ kind: 'active', reason: `opted out with tag ${TAG}=true` });
  });

  it('until:DATE exempts through the end of that day (UTC), and not a millisecond longer', () => {
    expect(optOutOf(TAG, 'until:2026-12-31', at('2026-12-31T23:59:59.999Z'))).toMatchObject({ kind: 'active', until: at('2027-01-01T00:00:00Z') });
    expect(optOutOf(TAG, 'until:2026-12-31', at('2027-01-01T00:00:00Z'))).toEqual({
      kind: 'expired',
      expiredAt: at('2027-01-01T00:00:00Z'),
      reason: `the exception ${TAG}=until:2026-12-31 expired at 2027-01-01T00:00:00.000Z`,
    });
  });

  it('any other value is no exception, as before (false, empty, absent, TRUE)', () => {
    for (const value of ['false', '', undefined, 'TRUE', 'yes']) expect(optOutOf(TAG, value, at('2026-06-01T00:00:00Z'))).toEqual({ kind: 'none' });
  });

  it('a broken until: value leaves the instance alone and names the tag, the value and the form expected', () => {
    for (const value of ['until:2026-02-30', 'until:tomorrow', 'until:2026-1-5', 'until:', 'until:2026-12-31T00:00Z']) {
      const optOut = optOutOf(TAG, value, at('2026-06-01T00:00:00Z'));
      expect(optOut.kind).toBe('malformed');
      expect(exempts(optOut)).toBe(true);
      expect(optOut).toMatchObject({ reason: expect.stringContaining(`tag ${TAG}=${JSON.stringify(value)} is not "true" or "until:YYYY-MM-DD"`) });
    }
  });

  it('is active exactly while now is before the end of the named day (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: at('2000-01-01T00:00:00Z'), max: at('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.date({ min: at('2000-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z'), noInvalidDate: true }),
        (day, now) => {
          const value = `until:${day.toISOString().slice(0, 10)}`;
          const end = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1);
          expect(optOutOf(TAG, value, now).kind).toBe(now.getTime() < end ? 'active' : 'expired');
        },
      ),
    );
  });
});

describe('decide() with exceptions', () => {
  it('leaves an instance alone while its exception runs', () => {
    const decision = decide(facts({ [TAG]: 'until:2026-12-31' }), mapping, at('2026-12-01T00:00:00Z'));
    expect(decision).toMatchObject({ action: { kind: 'skip', why: 'opted-out' }, reason: expect.stringContaining('until:2026-12-31') });
  });

  it('manages an instance whose exception expired, as if it had none', () => {
    const decision = decide(facts({ [TAG]: 'until:2026-12-31' }), mapping, at('2027-01-02T00:00:00Z'));
    expect(decision).toEqual(decide(facts({}), mapping, at('2027-01-02T00:00:00Z')));
    expect(decision.action).toEqual({ kind: 'associate', to: 'WebProfile' });
  });

  it('leaves an instance with a broken date alone, and the reason says how to fix the tag', () => {
    const decision = decide(facts({ [TAG]: 'until:31/12/2026' }), mapping, at('2026-01-01T00:00:00Z'));
    expect(decision).toMatchObject({ action: { kind: 'skip', why: 'opted-out' }, reason: expect.stringContaining('until:YYYY-MM-DD') });
  });
});

describe('an expiry is reported once, by the first sweep after it', () => {
  const HOUR = 3_600_000;
  const expired = optOutOf(TAG, 'until:2026-12-31', at('2027-01-01T05:00:00Z'));

  it('is news to the sweep whose previous run came before the expiry, and to no other', () => {
    // Hourly sweeps at hh:20: the expiry at 00:00 falls between the 23:20 and 00:20 sweeps.
    expect(expiredWithin(expired, at('2026-12-31T23:20:00Z'), HOUR)).toBe(false);
    expect(expiredWithin(expired, at('2027-01-01T00:20:00Z'), HOUR)).toBe(true);
    expect(expiredWithin(expired, at('2027-01-01T01:20:00Z'), HOUR)).toBe(false);
  });

  it('counts each expiry in exactly one of a run of evenly spaced sweeps (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 48 }), fc.integer({ min: 0, max: 10_000_000 }), (hours, offsetMs) => {
        const period = hours * HOUR;
        const first = at('2026-12-30T00:00:00Z').getTime() + offsetMs;
        const sweeps = Array.from({ length: Math.ceil((6 * 86_400_000) / period) }, (_, i) => new Date(first + i * period));
        expect(sweeps.filter((now) => expiredWithin(optOutOf(TAG, 'until:2026-12-31', now), now, period))).toHaveLength(1);
      }),
    );
  });
});

describe('scanning for expired exceptions', () => {
  const ec2 = mockClient(EC2Client);
  beforeEach(() => ec2.reset());

  it('asks EC2 only for instances with a dated exception, and flags the ones that expired since the last sweep', async () => {
    ec2.on(DescribeInstancesCommand).resolves(
      describeInstancesOutput([
        { id: 'i-0000000000000000a', tags: { [TAG]: 'until:2026-12-31' } },
        { id: 'i-0000000000000000b', tags: { [TAG]: 'until:2026-11-01' } },
        { id: 'i-0000000000000000c', tags: { [TAG]: 'until:2027-06-30' } },
        { id: 'i-0000000000000000d', tags: { [TAG]: 'until:someday' } },
      ]),
    );

    const found = await scanExpiredExceptions(new EC2Client({}), TAG, at('2027-01-01T03:00:00Z'), 6 * 3_600_000);

    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: `tag:${TAG}`, Values: ['until:*'] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
    ]);
    expect(found).toEqual([
      { instanceId: 'i-0000000000000000a', value: 'until:2026-12-31', expiredAt: at('2027-01-01T00:00:00Z'), newlyExpired: true },
      { instanceId: 'i-0000000000000000b', value: 'until:2026-11-01', expiredAt: at('2026-11-02T00:00:00Z'), newlyExpired: false },
    ]);
  });
});
