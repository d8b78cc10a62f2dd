/**
 * moto behind the fault proxy: the code under test talks to the proxy (AWS_ENDPOINT_URL), the
 * assertions read moto directly, so a fault can never hide or fake the final state. Plain
 * module (no vitest hooks): the fault tests and the reliability benchmark both build on it.
 */
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createClients } from '../lib/aws/clients.js';
import { loadConfig } from '../lib/config.js';
import { silentLog } from '../lib/log.js';
import { loadMappingFile } from '../lib/mapping/load.js';
import type { Mapping } from '../lib/mapping/schema.js';
import type { Sleep } from '../lib/retry.js';
import type { RunOutcome, Runtime } from '../lib/service.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { type MotoServer, startMoto } from './moto.js';
import { createNotifications, createProfiles, type LaunchSpec, launch, type Notifications, profilesOf } from './world.js';

export interface DirectClients {
  ec2: EC2Client;
  sns: SNSClient;
  sqs: SQSClient;
  iam: IAMClient;
}

export interface FaultWorld {
  moto: MotoServer;
  proxy: FaultProxy;
  /** Straight to moto, never faulted: how the tests set up and check. */
  direct: DirectClients;
  mapping: Mapping;
  /** Topic, raw-delivery subscriber queue and DLQ; created again by every reset(). */
  notifications: Notifications;
  /** Empty account with the mapped profiles (and a foreign AdminProfile); no fault rules; fresh stats. */
  reset(): Promise<void>;
  /** What a Lambda container builds, pointed at the proxy: real clients, config from the environment, the shipped mapping. */
  runtime(env?: Record<string, string>, sleep?: Sleep): Runtime;
  stop(): Promise<void>;
}

export const WHERE = { account: '123456789012', region: 'us-east-1' };

/** Starts moto and the proxy in front of it; AWS_ENDPOINT_URL points every SDK client built later at the proxy. */
export async function startFaultWorld(options: { seed?: number } = {}): Promise<FaultWorld> {
  const moto = await startMoto();
  const proxy = await startFaultProxy({ upstream: moto.endpoint, seed: options.seed ?? 1 });
  process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  // An explicit endpoint wins over AWS_ENDPOINT_URL: these never go through the proxy.
  const direct: DirectClients = {
    ec2: new EC2Client({ endpoint: moto.endpoint }),
    sns: new SNSClient({ endpoint: moto.endpoint }),
    sqs: new SQSClient({ endpoint: moto.endpoint }),
    iam: new IAMClient({ endpoint: moto.endpoint }),
  };
  const mapping = loadMappingFile('mapping.yaml');
  // moto loads its AMI catalogue on the first EC2 call (seconds on a busy machine): pay for it here, once, not in a test.
  await direct.ec2.send(new DescribeImagesCommand({ MaxResults: 5 }));
  const world: FaultWorld = {
    moto,
    proxy,
    direct,
    mapping,
    notifications: undefined as unknown as Notifications,
    async reset() {
      proxy.clearRules();
      await moto.reset();
      await createProfiles(direct.iam, mapping, ['AdminProfile']);
      world.notifications = await createNotifications(direct.sns, direct.sqs);
      proxy.resetStats();
    },
    runtime(env = {}, sleep) {
      const config = loadConfig({
        ...process.env,
        TOPIC_ARN: world.notifications.topicArn,
        // moto names the queue URL after its own port; the function must reach the DLQ through the proxy too.
        DLQ_URL: world.notifications.dlqUrl.replace(moto.endpoint, proxy.endpoint),
        MAPPING_FILE: 'mapping.yaml',
        MAX_CHANGES: '1000',
        SETTLE_WAIT_SECONDS: '0',
        ...env,
      });
      return { clients: createClients(), config, mapping: loadMappingFile(config.mappingFile), log: silentLog, ...(sleep ? { sleep } : {}) };
    },
    async stop() {
      await proxy.stop();
      await moto.stop();
      for (const client of Object.values(direct)) client.destroy();
      if (process.env.AWS_ENDPOINT_URL === proxy.endpoint) delete process.env.AWS_ENDPOINT_URL;
    },
  };
  return world;
}

/** One kind of instance, and the profile mapping.yaml says it must end up wearing (null: none). */
interface FleetCase {
  spec: LaunchSpec;
  expected: string | null;
}

/** Written out by hand from mapping.yaml, not computed by the code under test. */
export const FLEET_CASES = {
  missing: { spec: { tags: { app: 'web-m', Name: 'missing' } }, expected: 'WebProfile' },
  wrongRunning: { spec: { tags: { app: 'web-w', Name: 'wrong' }, profile: 'AdminProfile' }, expected: 'WebProfile' },
  wrongStopped: { spec: { tags: { app: 'web-s', Name: 'wrong-stopped' }, profile: 'AdminProfile', stopped: true }, expected: 'WebProfile' },
  batchWrong: { spec: { tags: { role: 'batch-etl', team: 'data' }, profile: 'WebProfile' }, expected: 'BatchProfile' },
  unmatched: { spec: { tags: { Name: 'db' } }, expected: 'BaselineSsmProfile' },
  right: { spec: { tags: { app: 'web-r' }, profile: 'WebProfile' }, expected: 'WebProfile' },
  quarantined: { spec: { tags: { app: 'web-q', 'security:quarantine': 'true' }, profile: 'WebProfile' }, expected: null },
  optedOut: { spec: { tags: { app: 'web-o', 'profile-guard:ignore': 'true' } }, expected: null },
} satisfies Record<string, FleetCase>;

export type FleetCaseName = keyof typeof FLEET_CASES;

export interface Fleet {
  ids: string[];
  expected: Record<string, string | null>;
  caseOf: Record<string, FleetCaseName>;
}

/** Launches `count` instances of each named case (straight to moto), and checks they start as the case says. */
export async function launchFleet(ec2: EC2Client, counts: Partial<Record<FleetCaseName, number>>): Promise<Fleet> {
  const fleet: Fleet = { ids: [], expected: {}, caseOf: {} };
  for (const [name, count] of Object.entries(counts) as [FleetCaseName, number][]) {
    const spec: LaunchSpec = FLEET_CASES[name].spec;
    // moto attaches a launch profile to the first instance of a RunInstances call only: one call each then.
    const ids = spec.profile
      ? (await Promise.all(Array.from({ length: count }, () => launch(ec2, { ...spec, count: 1 })))).flat()
      : count > 0
        ? await launch(ec2, { ...spec, count })
        : [];
    for (const id of ids) {
      fleet.ids.push(id);
      fleet.expected[id] = FLEET_CASES[name].expected;
      fleet.caseOf[id] = name;
    }
  }
  const worn = await profilesOf(ec2, fleet.ids);
  const launchedWith = (id: string) => (FLEET_CASES[fleet.caseOf[id] as FleetCaseName].spec as LaunchSpec).profile ?? null;
  const misLaunched = fleet.ids.filter((id) => (worn[id] ?? null) !== launchedWith(id));
  if (misLaunched.length > 0)
    throw new Error(`fleet did not launch as specified: ${misLaunched.map((id) => `${id} (${fleet.caseOf[id]}) wears ${worn[id]}`).join(', ')}`);
  return fleet;
}

export interface Wrong {
  instanceId: string;
  case: FleetCaseName;
  expected: string | null;
  actual: string | null;
}

/** Instances not wearing what the mapping says, read from moto directly. */
export async function wrongInstances(ec2: EC2Client, fleet: Fleet): Promise<Wrong[]> {
  const actual = await profilesOf(ec2, fleet.ids);
  return fleet.ids
    .filter((id) => (actual[id] ?? null) !== fleet.expected[id])
    .map((id) => ({ instanceId: id, case: fleet.caseOf[id] as FleetCaseName, expected: fleet.expected[id] ?? null, actual: actual[id] ?? null }));
}

export interface Invocation {
  outcome?: RunOutcome;
  /** The invocation threw (Lambda counts that as a failure and retries). */
  error?: unknown;
  /** Wrong in moto right after this invocation. */
  wrong: Wrong[];
  /** Wrong ones the report did not name as a retryable failure: Lambda would not retry them. */
  silent: Wrong[];
}

/**
 * Runs an invocation the way Lambda's async invocation does: when it fails (throws, or reports
 * retryable failures, which the handler turns into a throw) it is run again, at most `retries`
 * more times. `beforeRetry` stands in for Lambda's wait between attempts (a minute or more).
 */
export async function invokeLikeLambda(
  run: () => Promise<RunOutcome>,
  check: { ec2: EC2Client; fleet: Fleet },
  options: { retries?: number; beforeRetry?: () => Promise<void> } = {},
): Promise<Invocation[]> {
  const invocations: Invocation[] = [];
  for (let attempt = 0; attempt <= (options.retries ?? 2); attempt++) {
    if (attempt > 0) await options.beforeRetry?.();
    let outcome: RunOutcome | undefined;
    let error: unknown;
    try {
      outcome = await run();
    } catch (thrown) {
      error = thrown;
    }
    const wrong = await wrongInstances(check.ec2, check.fleet);
    const named = new Set((outcome?.report?.results ?? []).filter((r) => r.outcome === 'failed' && r.error?.retryable).map((r) => r.instanceId));
    // A throw means Lambda retries the whole event, so nothing is silent then.
    const silent = error === undefined ? wrong.filter((w) => !named.has(w.instanceId)) : [];
    invocations.push({ outcome, error, wrong, silent });
    if (error === undefined && (outcome?.retryableFailures ?? 0) === 0) break;
  }
  return invocations;
}

/** The engine's own waits (IAM propagation backoff) shortened tenfold, so a scenario stays within seconds. */
export const fastSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms / 10));
