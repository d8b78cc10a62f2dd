import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/remediate.js';
import { type Report, reportSchema } from '../../lib/report/schema.js';
import { type FaultWorld, type Fleet, launchFleet, startFaultWorld, wrongInstances } from '../../support/fault-world.js';
import { sampleFor } from '../../support/samples.js';
import { drain } from '../../support/world.js';

// The real handler builds its runtime from the environment once per process (as a Lambda container
// does); this file is its own process and the environment below never changes, so that is safe.
const DEADLINE_MS = 20_000;
// The hang test may run past the deadline on a handler that does not keep it (then unwinds for up to 15 s): 90 s keeps that under half.

function lambdaContext(deadlineMs: number): Context {
  const started = Date.now();
  return {
    functionName: 'profile-guard-test-remediate',
    functionVersion: '$LATEST',
    memoryLimitInMB: '256',
    awsRequestId: `req-${started}`,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:profile-guard-test-remediate',
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - (Date.now() - started)),
  } as unknown as Context;
}

type Settled = { returned: unknown } | { threw: unknown };

/** Runs the handler against a deadline; never leaves it running past the test (see the hang test). */
async function invoke(_world: FaultWorld, fleet: Fleet): Promise<{ settled: Settled | 'still running'; elapsedMs: number; finished: Promise<Settled> }> {
  const started = Date.now();
  const finished: Promise<Settled> = handler(sampleFor('cloudtrail-run-instances', fleet.ids), lambdaContext(DEADLINE_MS)).then(
    (returned) => ({ returned }),
    (threw: unknown) => ({ threw }),
  );
  const timer = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), DEADLINE_MS + 1000));
  const settled = await Promise.race([finished, timer]);
  return { settled, elapsedMs: Date.now() - started, finished };
}

async function reports(world: FaultWorld): Promise<Report[]> {
  return (await drain(world.direct.sqs, world.notifications.queueUrl)).map((m) => reportSchema.parse(JSON.parse(m.Body ?? '')));
}

describe('the remediate handler against its deadline (moto behind the fault proxy)', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    world = await startFaultWorld({ seed: 7 });
  });
  beforeEach(async () => {
    await world.reset();
    // What serverless.yml sets; the DLQ is reached through the proxy like everything else.
    Object.assign(process.env, {
      TOPIC_ARN: world.notifications.topicArn,
      DLQ_URL: world.notifications.dlqUrl.replace(world.moto.endpoint, world.proxy.endpoint),
      MAPPING_FILE: 'mapping.yaml',
      SETTLE_WAIT_SECONDS: '0',
    });
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('control: with EC2 answering, the handler fixes the fleet well before the deadline and reports', async () => {
    const fleet = await launchFleet(world.direct.ec2, { missing: 2, wrongRunning: 2, wrongStopped: 1 });

    const { settled, elapsedMs } = await invoke(world, fleet);

    expect(settled).toHaveProperty('returned');
    expect(elapsedMs).toBeLessThan(DEADLINE_MS);
    expect(await wrongInstances(world.direct.ec2, fleet)).toEqual([]);
    const [report] = await reports(world);
    expect(report?.counts.changed).toBe(5);
  }, 60_000);

  it('EC2 never answers: the handler gives up before the deadline and the report names every instance it could not reach', async () => {
    const fleet = await launchFleet(world.direct.ec2, { missing: 2, wrongRunning: 2, wrongStopped: 1 });
    world.proxy.setRules([{ kind: 'hang' }]);

    const { settled, elapsedMs, finished } = await invoke(world, fleet);
    if (settled === 'still running') {
      // Let the stuck invocation unwind (its sockets are cut, EC2 answers again) so it cannot leak into other tests.
      world.proxy.clearRules();
      world.proxy.releaseHung();
      await Promise.race([finished, new Promise((r) => setTimeout(r, 15_000))]);
    }

    expect(world.proxy.stats().faults.hang).toBeGreaterThan(0);
    expect(settled, `the handler was still running ${elapsedMs} ms into an invocation with ${DEADLINE_MS} ms to live`).not.toBe('still running');
    expect(elapsedMs).toBeLessThan(DEADLINE_MS);
    // Instances left undone are retryable failures, so the handler throws and Lambda retries the event.
    expect(settled).toMatchObject({ threw: { name: 'RetryableFailuresError', retryable: true } });
    const delivered = await reports(world);
    expect(delivered).toHaveLength(1);
    const named = Object.fromEntries((delivered[0]?.results ?? []).map((r) => [r.instanceId, r]));
    for (const id of fleet.ids) expect(named[id], id).toMatchObject({ outcome: 'failed', error: { retryable: true } });
    expect(delivered[0]?.outcome).toBe('failed');
  }, 90_000);
});
