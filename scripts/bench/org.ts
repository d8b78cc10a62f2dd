/**
 * Organization scale: does one hub keep several accounts right as fast as one? Each account has its
 * own EC2 token bucket (50 burst, 5/s for mutating calls, as AWS meters per account and region), so
 * three accounts swept at once should take about as long as one, with nothing lost.
 * Wired into scripts/bench.ts by the lead; alone:
 *   npx tsx -e "import('./scripts/bench/org.ts').then((m) => m.benchOrg())"   (PG_BENCH_ORG_SCALE=5 for a quick run)
 */
import { createEc2Client } from '../../lib/aws/clients.js';
import { createEngine, DEFAULT_ENGINE_OPTIONS } from '../../lib/engine.js';
import { silentLog } from '../../lib/log.js';
import { parseMapping } from '../../lib/mapping/load.js';
import { type InstanceResult, isUnfinished } from '../../lib/result.js';
import { realSleep } from '../../lib/retry.js';
import { startFakeEc2 } from '../../support/fake-ec2.js';

const CHANGES_PER_ACCOUNT = 300;
const mapping = parseMapping('version: 1\nrules:\n  - name: web\n    match: { tags: { app: "web-*" } }\n    profile: WebProfile\n', 'bench-org.yaml');

const idsFor = (account: number) => Array.from({ length: CHANGES_PER_ACCOUNT }, (_, i) => `i-${account}${i.toString(16).padStart(16, '0')}`.slice(0, 19));

/** One account's worker: the engine over its ids with that account's own client, retrying retryable failures as the next slice would. */
async function sweepAccount(endpoint: string, ids: string[]): Promise<InstanceResult[]> {
  const ec2 = createEc2Client({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  let pending = ids;
  const done: InstanceResult[] = [];
  for (let attempt = 0; attempt < 3 && pending.length > 0; attempt++) {
    const engine = createEngine({ ec2, sleep: realSleep, backoff: { attempts: 4, baseDelayMs: 1000, sleep: realSleep }, log: silentLog }, mapping, {
      ...DEFAULT_ENGINE_OPTIONS,
      maxChanges: CHANGES_PER_ACCOUNT,
      settleWaitMs: 0,
    });
    const results = await engine.remediateIds(pending);
    done.push(...results.filter((r) => !isUnfinished(r)));
    pending = results.filter(isUnfinished).map((r) => r.instanceId);
  }
  return done;
}

async function run(accounts: number, refill: number): Promise<{ seconds: number; fixed: number; lost: number; throttled: number; requests: number }> {
  const fakes = await Promise.all(
    Array.from({ length: accounts }, (_, a) =>
      startFakeEc2(idsFor(a + 1), { mutating: { capacity: 50, refillPerSecond: refill }, describe: { capacity: 100, refillPerSecond: 20 * (refill / 5) } }),
    ),
  );
  const start = performance.now();
  await Promise.all(fakes.map((fake, a) => sweepAccount(fake.endpoint, idsFor(a + 1))));
  const seconds = (performance.now() - start) / 1000;
  const fixed = fakes.reduce((n, f) => n + f.profiles.size, 0);
  const stats = { throttled: fakes.reduce((n, f) => n + f.stats.throttled, 0), requests: fakes.reduce((n, f) => n + f.stats.requests, 0) };
  await Promise.all(fakes.map((f) => f.stop()));
  return { seconds, fixed, lost: accounts * CHANGES_PER_ACCOUNT - fixed, ...stats };
}

export async function benchOrg(): Promise<void> {
  const scale = Number(process.env.PG_BENCH_ORG_SCALE ?? 1);
  const refill = 5 * scale;
  console.log(
    `\n## Organization: ${CHANGES_PER_ACCOUNT} changes per account, one EC2 token bucket per account (50 burst, ${refill}/s) (goal: 3 accounts <= 1.2 x one, nothing lost)`,
  );
  console.log('| accounts | time | fixed | lost | requests | throttled |');
  console.log('|---|---|---|---|---|---|');
  const one = await run(1, refill);
  console.log(`| 1 | ${one.seconds.toFixed(1)} s | ${one.fixed} | ${one.lost} | ${one.requests} | ${one.throttled} |`);
  const three = await run(3, refill);
  console.log(`| 3 | ${three.seconds.toFixed(1)} s | ${three.fixed} | ${three.lost} | ${three.requests} | ${three.throttled} |`);
  console.log(
    `\n3 accounts / 1 account: ${(three.seconds / one.seconds).toFixed(2)} x (floor set by each bucket: ${((CHANGES_PER_ACCOUNT - 50) / refill).toFixed(1)} s)`,
  );
}
