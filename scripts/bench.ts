/**
 * npm run bench [-- --burst 1000 --scale 10 --skip-package]
 * Measures what the design promises, on this machine, and prints it. Not a test: shared,
 * noisy machines make timings a report to read, not a gate.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createClients } from '../lib/aws/clients.js';
import { chunk, mapWithConcurrency } from '../lib/batching.js';
import { createEngine, DEFAULT_ENGINE_OPTIONS } from '../lib/engine.js';
import { silentLog } from '../lib/log.js';
import { parseMapping } from '../lib/mapping/load.js';
import { type InstanceResult, isUnfinished } from '../lib/result.js';
import { realSleep } from '../lib/retry.js';
import { runForEvent } from '../lib/service.js';
import { mockEc2 } from '../support/ec2-mock.js';
import { startFakeEc2 } from '../support/fake-ec2.js';
import { packageService, unzipFunction } from '../support/package.js';
import { sampleFor } from '../support/samples.js';
import { benchColdStart } from './bench/coldstart.js';
import { benchEvents } from './bench/events.js';
import { benchMapping } from './bench/mapping.js';
import { benchMemory } from './bench/memory.js';
import { benchOrg } from './bench/org.js';
import { benchReliability } from './bench/reliability.js';
import { benchReports } from './bench/reports.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// The handler's own log lines would drown the tables.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'bench';
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';

const { values: args } = parseArgs({
  options: {
    burst: { type: 'string', default: '1000' },
    scale: { type: 'string', default: '10' },
    'skip-package': { type: 'boolean', default: false },
    // Run only the named sections (comma-separated): calls,handler,bundle,coldstart,memory,burst,org,reliability,events,mapping,reports.
    only: { type: 'string' },
  },
});

const mapping = parseMapping('version: 1\nrules:\n  - { name: web, match: { tags: { app: "web-*" } }, profile: WebProfile }');
const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))] as number;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const noSleep = async () => {};

function section(title: string) {
  console.log(`\n## ${title}`);
}

async function apiCalls() {
  section('API calls per instance (all instances missing their profile)');
  console.log('instances  DescribeInstances  DescribeAssociations  Associate  calls/instance');
  for (const n of [1, 20, 200, 1000]) {
    const fleet = ids(n).map((id) => ({ id, tags: { app: 'web-1' } }));
    const { client, mock } = mockEc2(() => fleet);
    const engine = createEngine({ ec2: client, sleep: noSleep, backoff: { attempts: 1, baseDelayMs: 0, sleep: noSleep }, log: silentLog }, mapping, {
      ...DEFAULT_ENGINE_OPTIONS,
      maxChanges: n,
    });
    await engine.remediateIds(fleet.map((f) => f.id));
    const count = (name: string) => mock.calls().filter((c) => (c.args[0] as object).constructor.name === name).length;
    const [di, da, as] = [
      count('DescribeInstancesCommand'),
      count('DescribeIamInstanceProfileAssociationsCommand'),
      count('AssociateIamInstanceProfileCommand'),
    ];
    console.log(
      `${String(n).padStart(9)}  ${String(di).padStart(17)}  ${String(da).padStart(20)}  ${String(as).padStart(9)}  ${((di + da + as) / n).toFixed(3).padStart(14)}`,
    );
  }
}

/** EC2 calls one event costs for one instance, per action: the reads are part of the price. */
async function callsPerAction() {
  section('EC2 calls for a single-instance event, per action');
  console.log('action        reads  writes  total');
  const cases = [
    { action: 'associate', instance: { id: ids(1)[0] as string, tags: { app: 'web-1' } } },
    { action: 'replace', instance: { id: ids(1)[0] as string, tags: { app: 'web-1' }, profile: 'OtherProfile' } },
    { action: 'noop', instance: { id: ids(1)[0] as string, tags: { app: 'web-1' }, profile: 'WebProfile' } },
  ];
  for (const { action, instance } of cases) {
    const { client, mock } = mockEc2(() => [instance]);
    const engine = createEngine(
      { ec2: client, sleep: noSleep, backoff: { attempts: 1, baseDelayMs: 0, sleep: noSleep }, log: silentLog },
      mapping,
      DEFAULT_ENGINE_OPTIONS,
    );
    await engine.remediateIds([instance.id]);
    const names = mock.calls().map((c) => (c.args[0] as object).constructor.name);
    const reads = names.filter((n) => n.startsWith('Describe')).length;
    console.log(`${action.padEnd(12)}  ${String(reads).padStart(5)}  ${String(names.length - reads).padStart(6)}  ${String(names.length).padStart(5)}`);
  }
}

async function handlerTime() {
  section('Handler time in-process (mocked AWS: the code path, not the network)');
  const sns = mockClient(SNSClient);
  const sqs = mockClient(SQSClient);
  sns.onAnyCommand().resolves({});
  sqs.onAnyCommand().resolves({});
  for (const n of [1, 200]) {
    const fleet = ids(n).map((id) => ({ id, tags: { app: 'web-1' } }));
    const { client } = mockEc2(() => fleet);
    const runtime = {
      clients: { ec2: client, sns: new SNSClient({}), sqs: new SQSClient({}) },
      mapping,
      log: silentLog,
      sleep: noSleep,
      config: {
        topicArn: 'arn:aws:sns:us-east-1:123456789012:t',
        mappingFile: 'inline',
        notifyLevel: 'changes' as const,
        engine: { ...DEFAULT_ENGINE_OPTIONS, maxChanges: n },
      },
    };
    const event = sampleFor(
      'cloudtrail-run-instances',
      fleet.map((f) => f.id),
    );
    const times: number[] = [];
    for (let run = 0; run < 30; run++) {
      const start = performance.now();
      await runForEvent(runtime, event, { account: '123456789012', region: 'us-east-1' });
      times.push(performance.now() - start);
    }
    console.log(
      `event naming ${String(n).padStart(3)} instance(s): median ${ms(median(times))}, p95 ${ms(p95(times))} (30 runs, report built and published to a mock)`,
    );
  }
  sns.restore();
  sqs.restore();
}

/** The service packaged once for the sections that need the artifact (bundle, coldstart, memory). */
let packaged: string | undefined;
const packagedDir = () => {
  packaged ??= packageService('bench').dir;
  return packaged;
};

function bundleSizes() {
  section('Bundle size');
  if (args['skip-package']) {
    console.log('skipped (--skip-package)');
    return;
  }
  const dir = packagedDir();
  for (const fn of ['remediate', 'sweep']) console.log(`${fn}.zip: ${(statSync(join(dir, `${fn}.zip`)).size / 1024).toFixed(0)} KiB`);
  const js = unzipFunction(dir, 'remediate');
  console.log(`functions/remediate.js unzipped: ${(statSync(js).size / 1024).toFixed(0)} KiB (module-init time: the coldstart section)`);
}

async function burst() {
  const n = Number(args.burst);
  const scale = Number(args.scale);
  const refill = 5 * scale;
  section(`${n}-instance launch burst against a simulated EC2 token bucket`);
  console.log(`bucket for mutating calls: 50 burst, ${refill}/s (EC2's 5/s x${scale}); describe calls: 100 burst, ${20 * scale}/s`);
  console.log('events of 20 instances, 5 concurrent invocations (reserved concurrency), 4 instances at a time in each, SDK adaptive retry (6 attempts),');
  console.log('a retryable failure re-invokes the event up to twice (Lambda async retries, without their delay)');
  const fleet = ids(n);
  const fake = await startFakeEc2(fleet, { mutating: { capacity: 50, refillPerSecond: refill }, describe: { capacity: 100, refillPerSecond: 20 * scale } });
  process.env.AWS_ENDPOINT_URL = fake.endpoint;
  const { ec2 } = createClients();
  const start = performance.now();
  let invocations = 0;
  const invoke = async (eventIds: string[]): Promise<InstanceResult[]> => {
    let results: InstanceResult[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      invocations++;
      const engine = createEngine({ ec2, sleep: realSleep, backoff: { attempts: 4, baseDelayMs: 1000, sleep: realSleep }, log: silentLog }, mapping, {
        ...DEFAULT_ENGINE_OPTIONS,
        settleWaitMs: 0,
      });
      results = await engine.remediateIds(eventIds);
      if (!results.some(isUnfinished)) break;
    }
    return results;
  };
  const results = (await mapWithConcurrency(chunk(fleet, 20), 5, invoke)).flat();
  const seconds = (performance.now() - start) / 1000;
  await fake.stop();
  const failed = results.filter((r) => r.outcome === 'failed');
  console.log(`fixed ${fake.profiles.size}/${n} in ${seconds.toFixed(1)} s (floor set by the bucket: ${((n - 50) / refill).toFixed(1)} s)`);
  console.log(
    `requests ${fake.stats.requests} (${(fake.stats.requests / n).toFixed(2)} per instance), throttled ${fake.stats.throttled}, invocations ${invocations} for ${Math.ceil(n / 20)} events`,
  );
  console.log(
    `still failed after retries: ${failed.length}${failed.length ? ` (${[...new Set(failed.map((r) => r.error?.name))].join(', ')}; the sweep or a redrive finishes them)` : ''}`,
  );
  console.log(`process RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
  delete process.env.AWS_ENDPOINT_URL;
}

console.log(
  `# profile-guard benchmarks (${new Date().toISOString()}, node ${process.version}, ${readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'cpu'})`,
);
const wanted = (name: string) => !args.only || args.only.split(',').includes(name);
if (wanted('calls')) {
  await apiCalls();
  await callsPerAction();
}
if (wanted('handler')) await handlerTime();
if (wanted('bundle')) bundleSizes();
if (wanted('coldstart') && !args['skip-package']) await benchColdStart(packagedDir());
if (wanted('memory') && !args['skip-package']) await benchMemory(packagedDir());
if (wanted('burst')) await burst();
if (wanted('org')) await benchOrg();
if (wanted('reliability')) {
  section('Reliability: instances left wrong under network faults (fault proxy in front of moto)');
  await benchReliability();
}
if (wanted('events')) {
  section('Hostile events: parser crashes and time');
  await benchEvents();
}
if (wanted('mapping')) {
  section('Hostile mappings: glob matching and typed errors');
  await benchMapping();
}
if (wanted('reports')) {
  section('Complete reports: results reaching the machine channel');
  await benchReports();
}
