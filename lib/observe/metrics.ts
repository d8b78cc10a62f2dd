import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { countOutcomes, type InstanceResult } from '../result.js';
import type { RunOutcome } from '../service.js';

/**
 * Custom metrics (CloudWatch embedded metric format, written to the function's log by Powertools).
 * Namespace ProfileGuard; every metric carries the dimensions service and stage, so one stage's
 * alarms never see another's data. Instance ids go in the metadata of the log line, never in a
 * dimension: a dimension value per instance would be a new custom metric per instance.
 */
export const METRICS_NAMESPACE = 'ProfileGuard';
export const SERVICE_NAME = 'profile-guard';

/** Changes by kind. `remove` is a disassociate (the mapping says `none`); `imdsv2` counts on top of a profile change. */
export const REMEDIATION_ACTIONS = ['associate', 'replace', 'detach-attach', 'remove', 'imdsv2'] as const;
export type RemediationAction = (typeof REMEDIATION_ACTIONS)[number];

/** What an invocation was started by: the Skipped metric's dimension (two values, so two metrics). */
export type TriggerType = 'event' | 'sweep';

/** The per-invocation counts, zeros included: an alarm on a metric that is only sent when non-zero sees missing data, not "fine". */
export interface InvocationCounts {
  trigger: TriggerType;
  remediations: Record<RemediationAction, number>;
  changed: number;
  /** Instances that failed, plus one for an invocation that failed as a whole (a rejected event, a sweep that stopped early). */
  failed: number;
  drift: number;
  /** Changes past the blast-radius cap: a retry or the next sweep makes them. */
  deferred: number;
  /** Still pending after the bounded wait: the running event or the sweep finishes them. */
  waiting: number;
  skipped: number;
  /** The report went to the DLQ instead of the topic, or was lost (only in the log). */
  reportsUndelivered: number;
  findingsImported: number;
  findingsFailed: number;
  exceptionsExpired: number;
}

const REMEDIATION_OF: Partial<Record<InstanceResult['action'], RemediationAction>> = {
  associate: 'associate',
  replace: 'replace',
  'detach-attach': 'detach-attach',
  disassociate: 'remove',
};

/** Counts one invocation from what it returned; an ignored event (no report) counts as all zeros. */
export function countInvocation(trigger: TriggerType, outcome: RunOutcome | undefined): InvocationCounts {
  const results = outcome?.report?.results ?? [];
  const remediations = Object.fromEntries(REMEDIATION_ACTIONS.map((a) => [a, 0])) as Record<RemediationAction, number>;
  for (const r of results) {
    if (r.outcome !== 'changed') continue;
    const action = REMEDIATION_OF[r.action];
    if (action) remediations[action]++;
    if (r.imdsv2) remediations.imdsv2++;
  }
  const counts = countOutcomes(results);
  const report = outcome?.report;
  const wholeRunFailed = report?.rejected || report?.incomplete ? 1 : 0;
  const undelivered = outcome?.delivery === 'sent-to-dlq' || outcome?.delivery === 'lost' ? 1 : 0;
  return {
    trigger,
    remediations,
    changed: counts.changed,
    failed: counts.failed + wholeRunFailed,
    drift: counts.drift,
    deferred: counts.deferred,
    waiting: counts.waiting,
    skipped: counts.skipped,
    reportsUndelivered: undelivered,
    findingsImported: outcome?.observed?.findingsImported ?? 0,
    findingsFailed: outcome?.observed?.findingsFailed ?? 0,
    exceptionsExpired: outcome?.observed?.exceptionsExpired ?? 0,
  };
}

/** The slice of Powertools' Metrics we use (a real Metrics in Lambda and in the tests). */
export type MetricsSink = Pick<Metrics, 'addMetric' | 'addDimension' | 'addMetadata' | 'singleMetric'>;

const METADATA_IDS_MAX = 50;

/**
 * Writes one invocation's counts. A dimension keeps only its last value per flush, so each
 * value of `action` (and `trigger`) gets its own single-metric object, flushed as it is added;
 * the rest go on the invocation's object, flushed by the caller on every path.
 */
export function emitInvocation(metrics: MetricsSink, counts: InvocationCounts, outcome: RunOutcome | undefined): void {
  for (const action of REMEDIATION_ACTIONS) {
    const single = metrics.singleMetric();
    single.addDimension('action', action);
    single.addMetric('Remediations', MetricUnit.Count, counts.remediations[action]);
  }
  const skipped = metrics.singleMetric();
  skipped.addDimension('trigger', counts.trigger);
  skipped.addMetric('Skipped', MetricUnit.Count, counts.skipped);

  metrics.addMetric('Changed', MetricUnit.Count, counts.changed);
  metrics.addMetric('Failed', MetricUnit.Count, counts.failed);
  metrics.addMetric('Drift', MetricUnit.Count, counts.drift);
  metrics.addMetric('Deferred', MetricUnit.Count, counts.deferred);
  metrics.addMetric('Waiting', MetricUnit.Count, counts.waiting);
  metrics.addMetric('ReportsUndelivered', MetricUnit.Count, counts.reportsUndelivered);
  metrics.addMetric('FindingsImported', MetricUnit.Count, counts.findingsImported);
  metrics.addMetric('FindingsFailed', MetricUnit.Count, counts.findingsFailed);
  metrics.addMetric('ExceptionsExpired', MetricUnit.Count, counts.exceptionsExpired);
  for (const [key, value] of Object.entries(metadataOf(counts, outcome))) metrics.addMetadata(key, value);
}

/** What a reader of the log line needs to find the invocation and the instances it touched; never a dimension. */
export function metadataOf(counts: InvocationCounts, outcome: RunOutcome | undefined): Record<string, string> {
  const report = outcome?.report;
  const notable = (report?.results ?? []).filter((r) => r.outcome !== 'unchanged' && r.outcome !== 'skipped').map((r) => r.instanceId);
  const metadata: Record<string, string> = { trigger: counts.trigger, status: outcome?.status ?? 'failed' };
  if (report) metadata.reportId = report.reportId;
  if (report?.trigger.eventId) metadata.eventId = report.trigger.eventId;
  if (report?.trigger.eventKind) metadata.eventKind = report.trigger.eventKind;
  if (outcome?.delivery) metadata.delivery = outcome.delivery;
  if (notable.length > 0) metadata.instanceIds = notable.slice(0, METADATA_IDS_MAX).join(',');
  if (notable.length > METADATA_IDS_MAX) metadata.instanceIdsOmitted = String(notable.length - METADATA_IDS_MAX);
  return metadata;
}

/** One per container: namespace, and the dimensions every metric carries (service from Powertools, stage from us). */
export function createMetrics(stage: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, defaultDimensions: { stage } });
}
