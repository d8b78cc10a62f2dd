import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runForEvent } from '../../lib/service.js';
import type { FaultRule } from '../../support/fault-proxy.js';
import {
  type FaultWorld,
  type Fleet,
  fastSleep,
  type Invocation,
  invokeLikeLambda,
  launchFleet,
  startFaultWorld,
  WHERE,
  wrongInstances,
} from '../../support/fault-world.js';
import { sampleFor } from '../../support/samples.js';
import { profilesOf } from '../../support/world.js';

// Every kind of instance the mapping cares about; the ones that need a change are the majority.
const FLEET = { missing: 4, wrongRunning: 4, wrongStopped: 4, batchWrong: 1, unmatched: 1, right: 1, quarantined: 1, optedOut: 1 };

/** A compact trace of the invocations, shown when an assertion fails. */
const summary = (invocations: Invocation[]) => invocations.map((i) => ({ threw: i.error !== undefined, wrong: i.wrong.length, silent: i.silent }));

describe('remediation through a faulty network (moto behind the fault proxy; the truth read from moto directly)', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    world = await startFaultWorld({ seed: 20260601 });
  });
  beforeEach(async () => {
    await world.reset();
  });
  afterAll(async () => {
    await world?.stop();
  });

  /**
   * Launches the fleet, sets the faults and runs one RunInstances event naming it the way Lambda
   * would: again (at most twice) while it fails. Lambda waits a minute or more before a retry;
   * waiting for the fault windows to pass stands in for that.
   */
  async function fixUnder(rules: FaultRule[]): Promise<{ fleet: Fleet; invocations: Invocation[] }> {
    const fleet = await launchFleet(world.direct.ec2, FLEET);
    // All but the right and opted-out ones start wrong (the quarantined one must lose its profile).
    expect((await wrongInstances(world.direct.ec2, fleet)).length).toBe(15);
    const runtime = world.runtime({}, fastSleep);
    const event = sampleFor('cloudtrail-run-instances', fleet.ids);
    world.proxy.setRules(rules);
    const invocations = await invokeLikeLambda(
      () => runForEvent(runtime, event, WHERE),
      { ec2: world.direct.ec2, fleet },
      { beforeRetry: () => world.proxy.afterWindows() },
    );
    return { fleet, invocations };
  }

  /** 0 wrong at the end, and after every invocation each wrong instance was reported as a retryable failure. */
  async function expectFixedHonestly(fleet: Fleet, invocations: Invocation[]) {
    const left = await wrongInstances(world.direct.ec2, fleet);
    expect({ leftWrong: left, silentlyWrong: invocations.flatMap((i) => i.silent) }, JSON.stringify(summary(invocations))).toEqual({
      leftWrong: [],
      silentlyWrong: [],
    });
  }

  it('control: with no faults the fleet is fixed in one invocation', async () => {
    const { fleet, invocations } = await fixUnder([]);
    await expectFixedHonestly(fleet, invocations);
    expect(invocations).toHaveLength(1);
    expect(world.proxy.stats().faults).toEqual({ reset: 0, refuse: 0, '503': 0, throttle: 0, hang: 0 });
  }, 60_000);

  it('(a) isolated connection resets on 30 % of EC2 calls, before or after EC2 acted: 0 wrong', async () => {
    const { fleet, invocations } = await fixUnder([{ kind: 'reset', probability: 0.3, phase: 'either' }]);
    await expectFixedHonestly(fleet, invocations);
    expect(world.proxy.stats().faults.reset).toBeGreaterThan(3);
  }, 60_000);

  it('(b) a 3 s outage of resets that starts with the first detach: 0 wrong after retries, none silently without a profile', async () => {
    const { fleet, invocations } = await fixUnder([
      { kind: 'reset', phase: 'either', window: { from: 'DisassociateIamInstanceProfile', startMs: 0, durationMs: 3000 } },
    ]);
    await expectFixedHonestly(fleet, invocations);
    expect(world.proxy.stats().faults.reset).toBeGreaterThan(3);
  }, 60_000);

  it('(b) a 3 s outage with the port closed (connections refused) that starts with the first attach: 0 wrong after retries', async () => {
    const { fleet, invocations } = await fixUnder([{ kind: 'refuse', window: { from: 'AssociateIamInstanceProfile', startMs: 0, durationMs: 3000 } }]);
    await expectFixedHonestly(fleet, invocations);
    expect(world.proxy.stats().faults.refuse).toBe(1);
  }, 60_000);

  it('(c) EC2 answers 503 Unavailable to 30 % of calls: 0 wrong', async () => {
    const { fleet, invocations } = await fixUnder([{ kind: '503', probability: 0.3 }]);
    await expectFixedHonestly(fleet, invocations);
    expect(world.proxy.stats().faults['503']).toBeGreaterThan(3);
  }, 60_000);

  it('(d) throttling bursts (every EC2 call refused with RequestLimitExceeded for 1 s, three times): 0 wrong', async () => {
    const burst = (startMs: number): FaultRule => ({ kind: 'throttle', window: { from: 'AssociateIamInstanceProfile', startMs, durationMs: 1000 } });
    const { fleet, invocations } = await fixUnder([burst(0), burst(2500), burst(5000)]);
    await expectFixedHonestly(fleet, invocations);
    expect(world.proxy.stats().faults.throttle).toBeGreaterThan(0);
  }, 60_000);

  it('(e) detach-then-attach on a stopped instance whose attach keeps failing: the result says what it wears now; the retry fixes it', async () => {
    const fleet = await launchFleet(world.direct.ec2, { wrongStopped: 1 });
    const id = fleet.ids[0] as string;
    const runtime = world.runtime({}, fastSleep);
    // Someone attached AdminProfile to a stopped instance: the drift event profile-guard reacts to.
    const event = sampleFor('cloudtrail-associate-by-iam-user', [id]);
    world.proxy.setRules([{ kind: 'reset', actions: ['AssociateIamInstanceProfile'] }]);

    const first = await runForEvent(runtime, event, WHERE);

    expect(world.proxy.stats().calls['ec2:AssociateIamInstanceProfile']?.faulted).toBeGreaterThan(0);
    const wears = (await profilesOf(world.direct.ec2, [id]))[id] ?? null;
    // Every attach was cut, so it can only be bare (detached) or back in its old profile (restored).
    expect([null, 'AdminProfile']).toContain(wears);
    const result = first.report?.results.find((r) => r.instanceId === id);
    expect(result).toMatchObject({ action: 'detach-attach', outcome: 'failed', error: { retryable: true } });
    expect(first.retryableFailures).toBe(1);
    const said = `${result?.reason} | ${result?.error?.message}`;
    expect(said).toMatch(wears === null ? /no (instance )?profile|without (an? |any )?(instance )?profile/i : /restored|put back|re-?attached/i);

    world.proxy.clearRules();
    const retry = await runForEvent(runtime, event, WHERE);

    expect(retry.retryableFailures).toBe(0);
    expect(await profilesOf(world.direct.ec2, [id])).toEqual({ [id]: 'WebProfile' });
  }, 60_000);
});
