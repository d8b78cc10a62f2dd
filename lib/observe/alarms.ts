import { namesOf } from '../stack-names.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metrics.js';

import { heartbeatWindow } from './schedule.js';

/** A string, or a CloudFormation intrinsic that resolves to one. */
export type CfnValue = string | Record<string, unknown>;

/** What the stack is made of, by name: every alarm and dashboard widget points at these. */
export interface StackShape {
  stage: string;
  /** Seconds (serverless.yml: provider.timeout and functions.sweep.timeout). */
  remediateTimeout: number;
  sweepTimeout: number;
  /** Seconds between sweeps (the sweepRate parameter). */
  sweepPeriodSeconds: number;
  sweepEnabled: boolean;
  securityHub: boolean;
}

type MissingData = 'notBreaching' | 'breaching';

export interface AlarmSpec {
  /** Logical id in the template. */
  id: string;
  /** profile-guard-<stage>-<suffix>. */
  suffix: string;
  /** What it means and what to do: the first thing a notified person reads. */
  description: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, CfnValue>;
  statistic: 'Sum' | 'Maximum' | 'p99';
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  threshold: number;
  comparison: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold';
  missingData: MissingData;
}

/**
 * Missing data, deliberately: Lambda, EventBridge and our own metrics send a datapoint only when
 * something ran, and SQS stops sending for a queue that stays empty for hours. For every alarm
 * but one, "no data" therefore means "nothing happened", which is fine (notBreaching). The sweep
 * heartbeat is the exception: no data IS the failure (breaching).
 */
const QUIET_IS_FINE: MissingData = 'notBreaching';
const QUIET_IS_THE_FAILURE: MissingData = 'breaching';

/** The usual shape: alarm on any occurrence in a five-minute period; no data means nothing happened. */
const ANY_IN_FIVE_MINUTES = {
  statistic: 'Sum',
  period: 300,
  evaluationPeriods: 1,
  threshold: 1,
  comparison: 'GreaterThanOrEqualToThreshold',
  missingData: QUIET_IS_FINE,
} as const;

/** Events older than this have waited through throttling or retries for a quarter of the hour Lambda keeps them. */
const ASYNC_AGE_ALARM_MS = 15 * 60 * 1000;
/** A dead letter nobody replayed for a day: it expires after 14 days. */
const DLQ_AGE_ALARM_SECONDS = 86_400;

export function alarmSpecs(shape: StackShape): AlarmSpec[] {
  const n = namesOf(shape.stage);
  const fn = (name: string) => ({ FunctionName: name });
  const perFunction = (key: 'remediate' | 'sweep', label: string, timeout: number): AlarmSpec[] => {
    const name = n.functions[key];
    const Key = key === 'remediate' ? 'Remediate' : 'Sweep';
    return [
      {
        id: `${Key}ErrorsAlarm`,
        suffix: `${key}-errors`,
        description:
          key === 'remediate'
            ? `${label} failed 3 times in 15 minutes: an event failed all of Lambda's attempts, or many events fail. One retryable failure the retry fixes does not alarm. Read the function log and the reports; failed events are in the DLQ (npx profile-guard redrive).`
            : `${label} failed: the region was not swept (bad configuration or mapping, or a crash). Read the function log; the next sweep, or npx profile-guard redrive, runs it again.`,
        namespace: 'AWS/Lambda',
        metric: 'Errors',
        dimensions: fn(name),
        statistic: 'Sum',
        period: key === 'remediate' ? 900 : 300,
        evaluationPeriods: 1,
        threshold: key === 'remediate' ? 3 : 1,
        comparison: 'GreaterThanOrEqualToThreshold',
        missingData: QUIET_IS_FINE,
      },
      {
        id: `${Key}ThrottlesAlarm`,
        suffix: `${key}-throttles`,
        description:
          key === 'remediate'
            ? `${label} has been throttled for 15 minutes: events arrive faster than reservedConcurrency lets it work. Lambda keeps retrying them for an hour, then drops them (see the dropped-events alarm). Raise reservedConcurrency if this is normal load.`
            : `${label} was throttled: a sweep started while the previous one was still running (reserved concurrency 1). Make sweepRate longer than a sweep takes.`,
        namespace: 'AWS/Lambda',
        metric: 'Throttles',
        dimensions: fn(name),
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: key === 'remediate' ? 3 : 1,
        ...(key === 'remediate' ? { datapointsToAlarm: 3 } : {}),
        threshold: 1,
        comparison: 'GreaterThanOrEqualToThreshold',
        missingData: QUIET_IS_FINE,
      },
      {
        id: `${Key}DurationAlarm`,
        suffix: `${key}-duration-p99`,
        description: `${label}'s p99 duration is above 80% of its ${timeout} s timeout: it is close to being killed before its report goes out. Look for slow EC2 calls or throttling; raise the timeout or lower MAX_CHANGES.`,
        namespace: 'AWS/Lambda',
        metric: 'Duration',
        dimensions: fn(name),
        statistic: 'p99',
        period: 300,
        evaluationPeriods: 1,
        threshold: Math.floor(timeout * 1000 * 0.8),
        comparison: 'GreaterThanThreshold',
        missingData: QUIET_IS_FINE,
      },
      {
        id: `${Key}AsyncEventAgeAlarm`,
        suffix: `${key}-async-event-age`,
        description: `Events waited more than 15 minutes before ${label} ran them (throttling or retries). Instances stay wrong meanwhile; past the maximum event age Lambda drops them.`,
        namespace: 'AWS/Lambda',
        metric: 'AsyncEventAge',
        dimensions: fn(name),
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 1,
        threshold: ASYNC_AGE_ALARM_MS,
        comparison: 'GreaterThanThreshold',
        missingData: QUIET_IS_FINE,
      },
      {
        id: `${Key}AsyncEventsDroppedAlarm`,
        suffix: `${key}-async-events-dropped`,
        description: `Lambda dropped events for ${label} without running them (too old, or retries exhausted while throttled) and they did not reach the DLQ. Run the sweep (or npx profile-guard apply) to catch up.`,
        namespace: 'AWS/Lambda',
        metric: 'AsyncEventsDropped',
        dimensions: fn(name),
        ...ANY_IN_FIVE_MINUTES,
      },
      {
        id: `${Key}DestinationFailuresAlarm`,
        suffix: `${key}-destination-failures`,
        description: `Lambda could not put a failed ${label} event into the DLQ: that event is lost. Check the DLQ's policy and that it exists; run the sweep to catch up.`,
        namespace: 'AWS/Lambda',
        metric: 'DestinationDeliveryFailures',
        dimensions: fn(name),
        ...ANY_IN_FIVE_MINUTES,
      },
    ];
  };

  const ruleAlarms = [...n.eventRules, n.sweepRule].flatMap((rule): AlarmSpec[] => {
    const short = rule.slice(n.prefix.length + 1);
    const Id = short.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
    const failed: AlarmSpec = {
      id: `Rule${Id}FailedInvocationsAlarm`,
      suffix: `rule-${short}-failed-invocations`,
      description: `EventBridge could not invoke the function for rule ${rule} after its retries. The event went to the DLQ (npx profile-guard redrive) if the rule has one. Check the function's resource policy and that it exists.`,
      namespace: 'AWS/Events',
      metric: 'FailedInvocations',
      dimensions: { RuleName: rule },
      ...ANY_IN_FIVE_MINUTES,
    };
    if (rule === n.sweepRule) return [failed]; // the schedule has no dead-letter queue
    return [
      failed,
      {
        ...failed,
        id: `Rule${Id}DlqSendFailuresAlarm`,
        suffix: `rule-${short}-dlq-send-failures`,
        description: `EventBridge could not put an undeliverable event of rule ${rule} into the DLQ: that event is lost. Check the DLQ's policy (only this stage's rules may send). Run the sweep to catch up.`,
        metric: 'InvocationsFailedToBeSentToDlq',
      },
    ];
  });

  const custom = (metric: string) => ({ namespace: METRICS_NAMESPACE, metric, dimensions: { service: SERVICE_NAME, stage: shape.stage } });
  const heartbeat = heartbeatWindow(shape.sweepPeriodSeconds);
  return [
    ...perFunction('remediate', 'remediate', shape.remediateTimeout),
    ...perFunction('sweep', 'the sweep', shape.sweepTimeout),
    ...ruleAlarms,
    {
      id: 'DeadLetterAgeAlarm',
      suffix: 'dead-letter-age',
      description: 'A message has been in the DLQ for a day: nobody replayed it, and it expires after 14 days. Run npx profile-guard redrive.',
      namespace: 'AWS/SQS',
      metric: 'ApproximateAgeOfOldestMessage',
      dimensions: { QueueName: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } },
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 1,
      threshold: DLQ_AGE_ALARM_SECONDS,
      comparison: 'GreaterThanOrEqualToThreshold',
      missingData: QUIET_IS_FINE,
    },
    {
      id: 'FailedInstancesAlarm',
      suffix: 'failed',
      description:
        'profile-guard failed on at least one instance (or rejected an event, or a sweep stopped early). The report on the report topic names each instance and what to do; retryable failures are retried.',
      ...custom('Failed'),
      ...ANY_IN_FIVE_MINUTES,
    },
    {
      id: 'ReportsUndeliveredAlarm',
      suffix: 'reports-undelivered',
      description:
        'A report could not be published to the report topic: it is in the DLQ (npx profile-guard redrive republishes it) or, if the DLQ failed too, only in the function log. Check the topic, its key policy and the function role.',
      ...custom('ReportsUndelivered'),
      ...ANY_IN_FIVE_MINUTES,
    },
    ...(shape.securityHub
      ? [
          {
            id: 'FindingsFailedAlarm',
            suffix: 'findings-failed',
            description:
              'Security Hub refused findings or could not be reached (is Security Hub enabled in this region?). The reports are unaffected; the function log names each refused finding.',
            ...custom('FindingsFailed'),
            statistic: 'Sum' as const,
            period: 300,
            evaluationPeriods: 1,
            threshold: 1,
            comparison: 'GreaterThanOrEqualToThreshold' as const,
            missingData: QUIET_IS_FINE,
          },
        ]
      : []),
    ...(shape.sweepEnabled
      ? [
          {
            id: 'SweepHeartbeatAlarm',
            suffix: 'sweep-heartbeat',
            description: `No sweep ran for ${Math.round((heartbeat.period * heartbeat.evaluationPeriods) / 3600)} hours (twice its schedule): the schedule rule is disabled or deleted, or cannot invoke the function. Events still work; what they miss is no longer caught.`,
            namespace: 'AWS/Lambda',
            metric: 'Invocations',
            dimensions: fn(n.functions.sweep),
            statistic: 'Sum' as const,
            period: heartbeat.period,
            evaluationPeriods: heartbeat.evaluationPeriods,
            datapointsToAlarm: heartbeat.evaluationPeriods,
            threshold: 1,
            comparison: 'LessThanThreshold' as const,
            // Lambda sends Invocations only when the function runs: silence is the failure this alarm exists for.
            missingData: QUIET_IS_THE_FAILURE,
          },
        ]
      : []),
  ];
}

/** The CloudFormation alarms; every one notifies both topics on ALARM and on OK. */
export function alarmResources(
  shape: StackShape,
  specs: readonly AlarmSpec[] = alarmSpecs(shape),
): Record<string, { Type: string; Properties: Record<string, unknown> }> {
  const { prefix } = namesOf(shape.stage);
  const actions = [{ Ref: 'ReportTopic' }, { Ref: 'AlarmTopic' }];
  return Object.fromEntries(
    specs.map((s) => [
      s.id,
      {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: `${prefix}-${s.suffix}`,
          AlarmDescription: s.description,
          Namespace: s.namespace,
          MetricName: s.metric,
          Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })),
          ...(s.statistic === 'p99' ? { ExtendedStatistic: 'p99' } : { Statistic: s.statistic }),
          Period: s.period,
          EvaluationPeriods: s.evaluationPeriods,
          ...(s.datapointsToAlarm ? { DatapointsToAlarm: s.datapointsToAlarm } : {}),
          Threshold: s.threshold,
          ComparisonOperator: s.comparison,
          TreatMissingData: s.missingData,
          AlarmActions: actions,
          OKActions: actions,
        },
      },
    ]),
  );
}
