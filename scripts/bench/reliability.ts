/**
 * Reliability under network faults: a fleet of 68 instances (20 missing a profile, 20 wrong while
 * running, 20 wrong while stopped, a few others), fixed through the fault proxy in front of moto,
 * with Lambda's async retries (at most 2 more attempts, the fault windows over by then as Lambda's
 * minute-long wait would make them). The truth is read from moto directly.
 * Goal: 0 left wrong in every row; the handler returns before its deadline with the report out.
 *
 * npx tsx scripts/bench/reliability.ts   (or through npm run bench)
 */
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { reportSchema } from '../../lib/report/schema.js';
import { runForEvent } from '../../lib/service.js';
import type { FaultKind, FaultRule } from '../../support/fault-proxy.js';
import { type FaultWorld, type Fleet, invokeLikeLambda, launchFleet, startFaultWorld, WHERE, wrongInstances } from '../../support/fault-world.js';
import { sampleFor } from '../../support/samples.js';
import { drain } from '../../support/world.js';

const SEED = 42;
const FLEET = { missing: 20, wrongRunning: 20, wrongStopped: 20, batchWrong: 2, unmatched: 2, right: 2, quarantined: 1, optedOut: 1 };
const DEADLINE_MS = 20_000;

const burst = (startMs: number): FaultRule => ({ kind: 'throttle', window: { from: 'AssociateIamInstanceProfile', startMs, durationMs: 1000 } });
const SCENARIOS: [string, FaultRule[]][] = [
  ['no faults (control)', []],
  ['30 % of EC2 calls reset (before or after EC2 acted)', [{ kind: 'reset', probability: 0.3, phase: 'either' }]],
  [
    '3 s outage of resets from the first detach',
    [{ kind: 'reset', phase: 'either', window: { from: 'DisassociateIamInstanceProfile', startMs: 0, durationMs: 3000 } }],
  ],
  [
    '3 s outage, connections refused, from the first attach',
    [{ kind: 'refuse', window: { from: 'AssociateIamInstanceProfile', startMs: 0, durationMs: 3000 } }],
  ],
  ['30 % of EC2 calls answered 503 Unavailable', [{ kind: '503', probability: 0.3 }]],
  ['throttling: 3 bursts of 1 s of RequestLimitExceeded', [burst(0), burst(2500), burst(5000)]],
];

const injected = (faults: Record<FaultKind, number>) =>
  Object.entries(faults)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ') || '-';

async function fleetRow(world: FaultWorld, name: string, rules: FaultRule[]): Promise<string> {
  await world.reset();
  const fleet = await launchFleet(world.direct.ec2, FLEET);
  const toFix = (await wrongInstances(world.direct.ec2, fleet)).length;
  const runtime = world.runtime(); // the engine's own waits at their real length
  const event = sampleFor('cloudtrail-run-instances', fleet.ids);
  world.proxy.setRules(rules);
  const started = performance.now();
  const invocations = await invokeLikeLambda(
    () => runForEvent(runtime, event, WHERE),
    { ec2: world.direct.ec2, fleet },
    { beforeRetry: () => world.proxy.afterWindows() },
  );
  const seconds = (performance.now() - started) / 1000;
  const left = invocations.at(-1)?.wrong ?? [];
  const silent = new Set(invocations.flatMap((i) => i.silent.map((w) => w.instanceId)));
  const stoppedLeft = left.filter((w) => w.case === 'wrongStopped').length;
  const bare = left.filter((w) => w.actual === null && w.expected !== null).length;
  return `| ${name} | ${injected(world.proxy.stats().faults)} | ${invocations.length} | ${invocations[0]?.wrong.length ?? '?'} | **${left.length} / ${toFix}** | ${stoppedLeft} | ${bare} | ${silent.size} | ${seconds.toFixed(1)} s |`;
}

async function hangRow(world: FaultWorld): Promise<string> {
  await world.reset();
  const fleet: Fleet = await launchFleet(world.direct.ec2, { missing: 10, wrongRunning: 10, wrongStopped: 10 });
  Object.assign(process.env, {
    TOPIC_ARN: world.notifications.topicArn,
    DLQ_URL: world.notifications.dlqUrl.replace(world.moto.endpoint, world.proxy.endpoint),
    MAPPING_FILE: 'mapping.yaml',
    SETTLE_WAIT_SECONDS: '0',
  });
  // Imported here: the handler builds its runtime from the environment on first use, as a container does.
  const { handler } = await import('../../functions/remediate.js');
  world.proxy.setRules([{ kind: 'hang' }]);
  const started = Date.now();
  const context = {
    functionName: 'profile-guard-bench-remediate',
    awsRequestId: 'bench',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:profile-guard-bench-remediate',
    getRemainingTimeInMillis: () => Math.max(0, DEADLINE_MS - (Date.now() - started)),
  } as unknown as Context;
  const finished = handler(sampleFor('cloudtrail-run-instances', fleet.ids), context).then(
    () => 'returned',
    (error: Error) => `threw ${error.name}`,
  );
  const settled = await Promise.race([finished, new Promise<string>((r) => setTimeout(() => r('still running'), DEADLINE_MS + 1000))]);
  const elapsed = Date.now() - started;
  // What the subscriber had by the time the handler ended (or its deadline passed), not what a late unwinding sends.
  const reports = (await drain(world.direct.sqs, world.notifications.queueUrl)).map((m) => reportSchema.parse(JSON.parse(m.Body ?? '')));
  if (settled === 'still running') {
    world.proxy.clearRules();
    world.proxy.releaseHung();
    await Promise.race([finished, new Promise((r) => setTimeout(r, 30_000))]);
  }
  const failed = new Set(reports.flatMap((r) => r.results.filter((x) => x.outcome === 'failed').map((x) => x.instanceId)));
  const named = fleet.ids.filter((id) => failed.has(id)).length;
  const when = settled === 'still running' ? `still running at ${(elapsed / 1000).toFixed(1)} s` : `${settled} after ${(elapsed / 1000).toFixed(1)} s`;
  return `| ${fleet.ids.length} instances, every EC2 call hangs | ${DEADLINE_MS / 1000} s | ${when} | ${settled !== 'still running' && elapsed < DEADLINE_MS ? 'yes' : '**no**'} | ${reports.length} | ${named} / ${fleet.ids.length} |`;
}

export async function benchReliability(): Promise<void> {
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'bench';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  const world = await startFaultWorld({ seed: SEED });
  try {
    console.log(`\n## Reliability under network faults (moto behind the fault proxy, seed ${SEED})`);
    console.log('Fleet: 20 missing, 20 wrong while running, 20 wrong while stopped, 2 batch wrong, 2 default, 2 right, 1 quarantined, 1 opted out.');
    console.log('An invocation that fails is run again at most twice (Lambda async retries), after the fault window. Goal: 0 left wrong.\n');
    console.log(
      '| faults on EC2 | injected | invocations | wrong after the 1st | left wrong after retries | of them stopped | of them with no profile | ever wrong but not reported retryable | time |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const [name, rules] of SCENARIOS) console.log(await fleetRow(world, name, rules));
    console.log(
      '\nThe real handler against a never-answering EC2 (hang on every EC2 call). Goal: returns before the deadline, report delivered naming them.\n',
    );
    console.log('| case | deadline | handler | before the deadline | reports delivered by then | instances they name as failed |');
    console.log('|---|---|---|---|---|---|');
    console.log(await hangRow(world));
  } finally {
    await world.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchReliability();
