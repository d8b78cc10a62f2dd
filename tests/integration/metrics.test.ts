import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Report, reportSchema } from '../../lib/report/schema.js';
import { sampleFor } from '../../support/samples.js';
import { drain, launchCases } from '../../support/world.js';
import { useWorld } from '../helpers/aws-world.js';
import { DECISION_CASES } from '../helpers/fleet.js';

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

/**
 * The packaged remediate bundle, run the way Lambda runs it: a fresh Node process requires
 * functions/remediate.js from the zip and calls its handler; the EMF lines it prints on stdout are
 * what CloudWatch would turn into metrics.
 */
const RUNNER = `
const { handler } = require('./functions/remediate.js');
const started = Date.now();
const remaining = Number(process.env.PG_REMAINING_MS);
const context = {
  functionName: 'profile-guard-test-remediate',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:profile-guard-test-remediate',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => remaining - (Date.now() - started),
};
handler(JSON.parse(process.env.PG_EVENT), context).then(
  (result) => console.log(JSON.stringify({ returned: result })),
  (error) => { console.log(JSON.stringify({ thrown: { name: error.name, message: error.message } })); process.exitCode = 1; },
);
`;

function unpackBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'profile-guard-bundle-'));
  const zip = join(dirname(inject('templateFile')), 'remediate.zip');
  execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, dir]);
  writeFileSync(join(dir, 'runner.cjs'), RUNNER);
  return dir;
}

describe('the packaged remediate bundle prints its metrics (EMF) on moto', () => {
  const world = useWorld();
  let bundle: string;

  beforeAll(() => {
    bundle = unpackBundle();
  });
  afterAll(() => {
    if (bundle) rmSync(bundle, { recursive: true, force: true });
  });

  /** Runs one invocation in a fresh process (a cold container); returns its stdout lines. */
  async function invoke(event: unknown, remainingMs = 60_000): Promise<{ lines: string[]; emf: Emf[] }> {
    // Lambda's environment, not the test runner's: no POWERTOOLS_DEV (it turns metrics off).
    const { POWERTOOLS_DEV: _dev, ...inherited } = process.env;
    const env = {
      ...inherited,
      AWS_ENDPOINT_URL: world.moto.endpoint,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      TOPIC_ARN: world.notifications.topicArn,
      DLQ_URL: world.notifications.dlqUrl,
      MAPPING_FILE: 'mapping.yaml',
      SETTLE_WAIT_SECONDS: '0',
      STAGE: 'test',
      SECURITY_HUB: 'false',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_TRACE_ENABLED: 'false',
      PG_EVENT: JSON.stringify(event),
      PG_REMAINING_MS: String(remainingMs),
    };
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['runner.cjs'], { cwd: bundle, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('close', () =>
        out.includes('"returned"') || out.includes('"thrown"') ? resolve(out) : reject(new Error(`the bundle printed no outcome:\n${out}\n${err}`)),
      );
    });
    const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
    return { lines, emf: lines.map((l) => JSON.parse(l) as Emf).filter((l) => l._aws) };
  }

  const metric = (emf: Emf[], name: string) => emf.filter((l) => l._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === name));
  const remediationsByAction = (emf: Emf[]) => Object.fromEntries(metric(emf, 'Remediations').map((l) => [l.action as string, l.Remediations as number]));
  const dimensionValues = (emf: Emf[]) => emf.flatMap((l) => (l._aws.CloudWatchMetrics[0]?.Dimensions.flat() ?? []).map((name) => String(l[name])));

  /** What the report says was done, in the metric's vocabulary. */
  function actionsOf(report: Report): Record<string, number> {
    const counts: Record<string, number> = { associate: 0, replace: 0, 'detach-attach': 0, remove: 0, imdsv2: 0 };
    for (const r of report.results.filter((r) => r.outcome === 'changed')) {
      const action = r.action === 'disassociate' ? 'remove' : r.action;
      if (action in counts) counts[action] = (counts[action] ?? 0) + 1;
      if (r.imdsv2) counts.imdsv2 = (counts.imdsv2 ?? 0) + 1;
    }
    return counts;
  }

  it('counts each action of a launch event exactly as the report lists them, with no failure and no instance id as a dimension', async () => {
    const ids = await launchCases(world.clients.ec2, DECISION_CASES);
    const { emf } = await invoke(sampleFor('cloudtrail-run-instances', Object.values(ids)));

    const [message] = await drain(world.clients.sqs, world.notifications.queueUrl);
    const report = reportSchema.parse(JSON.parse(message?.Body ?? ''));
    expect(report.counts.changed).toBe(5);
    expect(remediationsByAction(emf)).toEqual(actionsOf(report));
    expect(remediationsByAction(emf)).toEqual({ associate: 2, replace: 1, 'detach-attach': 1, remove: 1, imdsv2: 0 });
    const [main] = metric(emf, 'Failed');
    expect(main).toMatchObject({ Failed: 0, Changed: 5, service: 'profile-guard', stage: 'test', reportId: report.reportId });
    // Skipped is counted per trigger, on its own metric object: a dimension keeps one value per flush.
    expect(main).not.toHaveProperty('Skipped');
    expect(main?._aws.CloudWatchMetrics[0]?.Namespace).toBe('ProfileGuard');
    expect(metric(emf, 'Skipped')).toEqual([expect.objectContaining({ trigger: 'event', Skipped: 1 })]);
    expect(metric(emf, 'ColdStart')).toEqual([expect.objectContaining({ ColdStart: 1, function_name: 'profile-guard-test-remediate' })]);
    expect(dimensionValues(emf).filter((v) => v.startsWith('i-'))).toEqual([]);
    expect(String(main?.instanceIds).split(',').sort()).toEqual([ids.missing, ids.wrong, ids.quarantined, ids.stopped, ids.unmatched].sort());
  });

  it('counts nothing changed when the same event comes again', async () => {
    const ids = await launchCases(world.clients.ec2, DECISION_CASES);
    const event = sampleFor('cloudtrail-run-instances', Object.values(ids));
    await invoke(event);

    const { emf } = await invoke(event);

    expect(Object.values(remediationsByAction(emf))).toEqual([0, 0, 0, 0, 0]);
    expect(metric(emf, 'Failed')).toEqual([expect.objectContaining({ Changed: 0, Failed: 0 })]);
  });

  it('prints Failed before it throws for Lambda to retry', async () => {
    const ids = await launchCases(world.clients.ec2, { missing: DECISION_CASES.missing });
    // 2.5 s left is less than the time kept for the report: no instance work starts, the run fails as retryable.
    const { lines, emf } = await invoke(sampleFor('ec2-state-running', [ids.missing]), 2_500);

    const failedAt = lines.findIndex((l) => l.includes('"Failed"'));
    const thrownAt = lines.findIndex((l) => l.startsWith('{"thrown"'));
    expect(JSON.parse(lines[thrownAt] ?? '{}')).toEqual({
      thrown: { name: 'RetryableFailuresError', message: expect.stringContaining(`${ids.missing}: OutOfTimeError`) },
    });
    expect(failedAt).toBeGreaterThanOrEqual(0);
    expect(failedAt).toBeLessThan(thrownAt);
    expect((metric(emf, 'Failed')[0]?.Failed as number) ?? 0).toBeGreaterThanOrEqual(1);
  });
});
