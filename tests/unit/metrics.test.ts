import type { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigInvalidError } from '../../lib/errors.js';
import { type Observability, observeInvocation } from '../../lib/observe/invocation.js';
import { countInvocation, createMetrics, METRICS_NAMESPACE } from '../../lib/observe/metrics.js';
import { heartbeatWindow, sweepPeriodSeconds } from '../../lib/observe/schedule.js';
import { loadObserveSettings } from '../../lib/observe/settings.js';
import type { TraceSink } from '../../lib/observe/trace.js';
import { buildReport } from '../../lib/report/build.js';
import type { RunOutcome } from '../../lib/service.js';
import { GOLDEN_INPUT, MIXED_RESULTS } from '../fixtures/results.js';

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

const outcomeOf = (overrides: Partial<RunOutcome> = {}): RunOutcome => ({
  status: 'accepted',
  report: buildReport(GOLDEN_INPUT),
  delivery: 'published',
  retryableFailures: 0,
  ...overrides,
});

/** A fake X-Ray tracer that remembers what the handler did to the trace. */
function fakeTracer() {
  const events: string[] = [];
  const annotations: Record<string, unknown> = {};
  const subsegment = { close: () => events.push('close subsegment') };
  const parent = {
    addNewSubsegment: (name: string) => {
      events.push(`open ${name}`);
      return subsegment;
    },
  };
  const tracer = {
    isTracingEnabled: () => true,
    getSegment: () => parent,
    setSegment: (segment: unknown) => events.push(segment === parent ? 'restore parent' : 'enter subsegment'),
    putAnnotation: (key: string, value: unknown) => {
      annotations[key] = value;
    },
    annotateColdStart: () => events.push('cold start annotated'),
    addServiceNameAnnotation: () => {},
    addErrorAsMetadata: (error: Error) => events.push(`error ${error.name}`),
  };
  return { tracer: tracer as unknown as TraceSink, events, annotations };
}

describe('invocation metrics (EMF on stdout)', () => {
  let lines: string[];
  let metrics: Metrics;
  let obs: Observability;
  let trace: ReturnType<typeof fakeTracer>;
  const emf = (): Emf[] => lines.map((l) => JSON.parse(l) as Emf).filter((l) => l._aws);
  const withMetric = (name: string) => emf().filter((l) => l._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === name));

  beforeEach(() => {
    // Powertools keeps metrics off under POWERTOOLS_DEV (set for the tests) unless told otherwise.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    // What Lambda sets in an on-demand execution environment: the cold start is only counted there.
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    lines = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    metrics = createMetrics('prod');
    trace = fakeTracer();
    obs = { metrics, tracer: trace.tracer };
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  const info = { trigger: 'event' as const, functionName: 'profile-guard-prod-remediate', account: '123456789012' };

  it('counts remediations per action, one metric object per action, zeros included', async () => {
    await observeInvocation(obs, info, async (record) => record(outcomeOf()));

    const remediations = withMetric('Remediations');
    expect(remediations.map((l) => [l.action, l.Remediations])).toEqual([
      ['associate', 1],
      ['replace', 1],
      ['detach-attach', 0],
      ['remove', 0],
      ['imdsv2', 1],
    ]);
    for (const line of remediations) {
      expect(line._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: METRICS_NAMESPACE, Dimensions: [['service', 'stage', 'action']] });
      expect(line).toMatchObject({ service: 'profile-guard', stage: 'prod' });
    }
    expect(withMetric('Skipped').map((l) => [l.trigger, l.Skipped])).toEqual([['event', 1]]);
  });

  it('writes the per-invocation counts with service and stage as the only dimensions, and instance ids only as metadata', async () => {
    await observeInvocation(obs, info, async (record) => record(outcomeOf({ delivery: 'sent-to-dlq' })));

    const [main] = withMetric('Changed');
    expect(main?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'stage']]);
    expect(main).toMatchObject({
      Changed: 2,
      Failed: 1,
      Drift: 0,
      Deferred: 1,
      Waiting: 1,
      ReportsUndelivered: 1,
      FindingsImported: 0,
      FindingsFailed: 0,
      ExceptionsExpired: 0,
    });
    expect(main?.instanceIds).toBe('i-0a1b2c3d4e5f60001,i-0a1b2c3d4e5f60002,i-0a1b2c3d4e5f60003,i-0a1b2c3d4e5f60006,i-0a1b2c3d4e5f60007');
    expect(main?.reportId).toBe(GOLDEN_INPUT.reportId);
    for (const line of emf()) {
      const dimensionValues = line._aws.CloudWatchMetrics[0]?.Dimensions.flat().map((name) => String(line[name])) ?? [];
      expect(dimensionValues.filter((v) => v.startsWith('i-'))).toEqual([]);
    }
  });

  it('captures the cold start once per container', async () => {
    await observeInvocation(obs, info, async (record) => record(outcomeOf()));
    await observeInvocation(obs, info, async (record) => record(outcomeOf()));
    expect(withMetric('ColdStart')).toEqual([expect.objectContaining({ ColdStart: 1, function_name: 'profile-guard-prod-remediate', stage: 'prod' })]);
  });

  it('flushes before a retryable failure is thrown for Lambda to retry', async () => {
    const failing = outcomeOf({ retryableFailures: 1 });
    await expect(
      observeInvocation(obs, info, async (record) => {
        record(failing);
        throw new Error('1 instance(s) failed with a retryable error');
      }),
    ).rejects.toThrow('retryable');
    expect(withMetric('Failed')).toEqual([expect.objectContaining({ Failed: 1 })]);
    expect(trace.events).toContain('error Error');
  });

  it('counts a crash before any report (bad configuration) as one failure, and still flushes', async () => {
    await expect(
      observeInvocation(obs, info, async () => {
        throw new ConfigInvalidError('invalid environment: MAX_CHANGES: too big');
      }),
    ).rejects.toThrow(ConfigInvalidError);
    expect(withMetric('Failed')).toEqual([expect.objectContaining({ Failed: 1, Changed: 0, status: 'failed' })]);
  });

  it('records an ignored event as zeros, so alarms see data and not silence', async () => {
    await observeInvocation(obs, info, async (record) => record({ status: 'ignored', reason: 'made by profile-guard itself', retryableFailures: 0 }));
    expect(withMetric('Failed')).toEqual([expect.objectContaining({ Failed: 0, Changed: 0, status: 'ignored' })]);
    expect(withMetric('Remediations')).toHaveLength(5);
  });

  it('annotates the trace with trigger, account, instance count and outcome, in its own subsegment', async () => {
    await observeInvocation(obs, info, async (record) => record(outcomeOf()));
    expect(trace.annotations).toEqual({ trigger: 'run-instances', account: '123456789012', instance_count: 7, outcome: 'failed' });
    expect(trace.events).toEqual(['open ## remediate', 'enter subsegment', 'cold start annotated', 'close subsegment', 'restore parent']);
  });
});

describe('counting an invocation', () => {
  it('counts a rejected event and a sweep that stopped early as one failure of the whole run', () => {
    const rejected = buildReport({ ...GOLDEN_INPUT, results: [], rejected: 'not an EventBridge event' });
    expect(countInvocation('event', outcomeOf({ status: 'rejected', report: rejected })).failed).toBe(1);
    const incomplete = buildReport({ ...GOLDEN_INPUT, trigger: { type: 'sweep' }, incomplete: 'ran out of time after 3 instances' });
    expect(countInvocation('sweep', outcomeOf({ report: incomplete })).failed).toBe(2);
  });

  it('counts a change that is only IMDSv2 under imdsv2 alone, and a disassociate as remove', () => {
    const results = [
      { ...MIXED_RESULTS[3], action: 'noop', imdsv2: true, outcome: 'changed' },
      { ...MIXED_RESULTS[0], action: 'disassociate', outcome: 'changed' },
      { ...MIXED_RESULTS[0], action: 'detach-attach', outcome: 'planned' },
    ] as typeof MIXED_RESULTS;
    const counts = countInvocation('sweep', outcomeOf({ report: buildReport({ ...GOLDEN_INPUT, results }) }));
    expect(counts.remediations).toEqual({ associate: 0, replace: 0, 'detach-attach': 0, remove: 1, imdsv2: 1 });
    expect(counts.changed).toBe(2);
  });
});

describe('the sweep schedule and the settings', () => {
  it('reads rate expressions and takes a day for cron', () => {
    expect(sweepPeriodSeconds('rate(1 hour)')).toBe(3600);
    expect(sweepPeriodSeconds('rate(6 hours)')).toBe(21_600);
    expect(sweepPeriodSeconds('rate(15 minutes)')).toBe(900);
    expect(sweepPeriodSeconds('rate(2 days)')).toBe(172_800);
    expect(sweepPeriodSeconds('cron(0 3 * * ? *)')).toBe(86_400);
  });

  it('refuses a schedule it cannot read, naming the parameter and the forms it takes', () => {
    for (const bad of ['rate(0 hours)', 'rate(6 weeks)', 'every 6 hours', '']) {
      expect(() => sweepPeriodSeconds(bad)).toThrow(
        new ConfigInvalidError(`sweepRate ${JSON.stringify(bad)}: expected rate(N minutes|hours|days) or cron(...)`),
      );
    }
  });

  it('fits the heartbeat window (twice the period) into what CloudWatch alarms accept', () => {
    expect(heartbeatWindow(21_600)).toEqual({ period: 43_200, evaluationPeriods: 1 });
    expect(heartbeatWindow(300)).toEqual({ period: 600, evaluationPeriods: 1 });
    expect(heartbeatWindow(172_800)).toEqual({ period: 86_400, evaluationPeriods: 4 });
    // Seven days is CloudWatch's limit for all evaluation periods together.
    expect(heartbeatWindow(30 * 86_400)).toEqual({ period: 86_400, evaluationPeriods: 7 });
  });

  it('reads the stage, the Security Hub switch and the sweep rate, and names a bad variable', () => {
    expect(loadObserveSettings({ STAGE: 'prod', SECURITY_HUB: 'true', SWEEP_RATE: 'rate(1 hour)' })).toEqual({
      stage: 'prod',
      securityHub: true,
      sweepPeriodSeconds: 3600,
    });
    expect(loadObserveSettings({ SECURITY_HUB: '' })).toEqual({ stage: 'dev', securityHub: false, sweepPeriodSeconds: 21_600 });
    expect(() => loadObserveSettings({ SECURITY_HUB: 'yes' })).toThrow(/SECURITY_HUB: /);
    expect(() => loadObserveSettings({ STAGE: 'prod stage' })).toThrow(/STAGE: must be a stage name/);
  });
});
