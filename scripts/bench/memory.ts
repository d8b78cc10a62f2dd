/**
 * Peak memory of the packaged remediate function on a 1,000-instance event: the number the
 * `memorySize` parameter's default is chosen from (serverless.yml).
 *
 * The bundle under test is the real artifact (`serverless package`, esbuild with the SDK inside),
 * run by a fresh Node process the way Lambda's runtime runs it: require the handler, call it
 * once. EC2 is a local stand-in (support/fake-ec2.ts: DescribeInstances, associations,
 * AssociateIamInstanceProfile, with no throttling). aws-sdk-client-mock cannot be used here: it
 * patches the SDK in node_modules, and the bundle carries its own copy. The mapping matches every
 * instance, the blast-radius cap is lifted, so all 1,000 are read, decided, changed and reported.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startFakeEc2 } from '../../support/fake-ec2.js';
import { packageService, unzipFunction } from '../../support/package.js';
import { sampleFor } from '../../support/samples.js';

const INSTANCES = 1000;
const RUNS = 3;

interface Measurement {
  maxRssMiB: number;
  ms: number;
  changed: number;
  error?: string;
}

// Runs inside the child: Lambda's part (require the handler, invoke it once), then report usage.
const CHILD = `
const fs = require('node:fs');
const started = Date.now();
const usage = () => ({ maxRssMiB: process.resourceUsage().maxRSS / 1024, ms: Date.now() - started });
const done = (extra) => fs.writeFileSync(process.env.BENCH_OUT, JSON.stringify({ ...usage(), ...extra }));
const { handler } = require('./functions/remediate.js');
if (!process.env.BENCH_EVENT) {
  done({ changed: 0 });
} else {
  const event = JSON.parse(fs.readFileSync(process.env.BENCH_EVENT, 'utf8'));
  const context = {
    getRemainingTimeInMillis: () => 120000,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:profile-guard-bench-remediate',
    awsRequestId: 'bench',
  };
  handler(event, context).then(
    (summary) => done({ changed: summary.results.filter((r) => r.outcome === 'changed').length }),
    (error) => done({ changed: 0, error: String(error && error.message).slice(0, 300) }),
  );
}
`;

// A bare Node process, for the baseline.
const IDLE = 'require("node:fs").writeFileSync(process.env.BENCH_OUT, JSON.stringify({ maxRssMiB: process.resourceUsage().maxRSS / 1024, ms: 0, changed: 0 }))';

/** `packagedDir`: a `serverless package` output already made (npm run bench packages once); default: package now. */
export async function measureRemediateMemory(packagedDir?: string): Promise<{ idle: Measurement; loaded: Measurement; event: Measurement[] }> {
  const dir = packagedDir ?? packageService('bench').dir;
  unzipFunction(dir, 'remediate');
  const bundle = join(dir, 'remediate');
  const ids = Array.from({ length: INSTANCES }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
  const eventFile = join(dir, 'event.json');
  writeFileSync(eventFile, JSON.stringify(sampleFor('cloudtrail-run-instances', ids)));
  const fake = await startFakeEc2(ids, { mutating: { capacity: 1e9, refillPerSecond: 1e9 }, describe: { capacity: 1e9, refillPerSecond: 1e9 } });
  // Asynchronous: the stand-in EC2 answers from this process's event loop.
  const run = async (script: string, env: Record<string, string>): Promise<Measurement> => {
    const out = join(dir, 'measurement.json');
    await promisify(execFile)('node', ['-e', script], {
      timeout: 300_000,
      cwd: bundle,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        PATH: process.env.PATH ?? '',
        AWS_ENDPOINT_URL: fake.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        MAPPING_FILE: 'mapping.yaml',
        MAX_CHANGES: String(INSTANCES),
        NOTIFY_LEVEL: 'all',
        // The report is built in full; publishing it fails fast against the stand-in (no SNS there).
        TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:profile-guard-bench-reports',
        POWERTOOLS_SERVICE_NAME: 'profile-guard',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_TRACE_ENABLED: 'false',
        BENCH_OUT: out,
        ...env,
      },
    });
    return JSON.parse(readFileSync(out, 'utf8')) as Measurement;
  };
  try {
    const idle = await run(IDLE, {});
    const loaded = await run(CHILD, {});
    const event: Measurement[] = [];
    for (let i = 0; i < RUNS; i++) {
      fake.profiles.clear();
      event.push(await run(CHILD, { BENCH_EVENT: eventFile }));
    }
    return { idle, loaded, event };
  } finally {
    await fake.stop();
  }
}

export async function benchMemory(packagedDir?: string): Promise<void> {
  const { idle, loaded, event } = await measureRemediateMemory(packagedDir);
  const peak = Math.max(...event.map((m) => m.maxRssMiB));
  console.log(`\n## Peak memory of the packaged remediate function (${INSTANCES}-instance event, fresh process each run)`);
  console.log('| process | peak RSS | time | instances changed |');
  console.log('|---|---|---|---|');
  console.log(`| node, nothing loaded | ${idle.maxRssMiB.toFixed(0)} MiB | | |`);
  console.log(`| bundle loaded (module init) | ${loaded.maxRssMiB.toFixed(0)} MiB | ${loaded.ms} ms | |`);
  for (const [i, m] of event.entries()) {
    console.log(`| handler, run ${i + 1} | ${m.maxRssMiB.toFixed(0)} MiB | ${m.ms} ms | ${m.changed}${m.error ? ` (error: ${m.error})` : ''} |`);
  }
  console.log(`peak ${peak.toFixed(0)} MiB; Lambda's runtime adds its own few MiB on top of a bare node process.`);
}
