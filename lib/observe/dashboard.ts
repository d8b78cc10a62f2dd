import { namesOf } from '../stack-names.js';
import type { AlarmSpec, StackShape } from './alarms.js';
import { METRICS_NAMESPACE, REMEDIATION_ACTIONS, SERVICE_NAME } from './metrics.js';

type Metric = (string | Record<string, unknown>)[];

const REGION = '${AWS::Region}';
const ACCOUNT = '${AWS::AccountId}';
const PARTITION = '${AWS::Partition}';
/** Alarms serverless.yml defines itself (the DLQ depth alarm), shown with the generated ones. */
const STACK_ALARMS = ['dead-letters'];

interface Widget {
  type: 'metric' | 'alarm' | 'text';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

/**
 * The stage's dashboard, one screen: what it changed, what failed, whether it keeps up, and the
 * alarms. The body is a Fn::Sub template (region and account are filled in by CloudFormation).
 */
export function dashboardBody(shape: StackShape, alarms: readonly AlarmSpec[]): { widgets: Widget[] } {
  const n = namesOf(shape.stage);
  const custom = (metric: string, extra: Record<string, string> = {}, options: Record<string, unknown> = {}): Metric => [
    METRICS_NAMESPACE,
    metric,
    'service',
    SERVICE_NAME,
    'stage',
    shape.stage,
    ...Object.entries(extra).flat(),
    options,
  ];
  const lambda = (metric: string, fn: string, options: Record<string, unknown> = {}): Metric => ['AWS/Lambda', metric, 'FunctionName', fn, options];
  const rules = [...n.eventRules, n.sweepRule];
  const metric = (title: string, metrics: Metric[], extra: Record<string, unknown> = {}) => ({
    title,
    region: REGION,
    view: 'timeSeries',
    period: 300,
    stat: 'Sum',
    metrics,
    ...extra,
  });
  const timeoutLine = (seconds: number) => ({
    horizontal: [
      { label: `timeout ${seconds} s`, value: seconds * 1000 },
      { label: 'alarm (80%)', value: seconds * 800 },
    ],
  });
  const durationWidget = (fn: 'remediate' | 'sweep', timeout: number) => ({
    type: 'metric' as const,
    properties: metric(`${fn} duration p99 vs timeout`, [lambda('Duration', n.functions[fn], { label: 'p99' })], {
      stat: 'p99',
      annotations: timeoutLine(timeout),
    }),
  });
  const ruleLabel = (rule: string) => rule.slice(n.prefix.length + 1);

  const grid: Omit<Widget, 'x' | 'y' | 'width' | 'height'>[] = [
    {
      type: 'metric',
      properties: metric(
        'Remediations by action',
        REMEDIATION_ACTIONS.map((a) => custom('Remediations', { action: a }, { label: a })),
        { stacked: true },
      ),
    },
    {
      type: 'metric',
      properties: metric('Failures', [
        custom('Failed', {}, { label: 'instances failed' }),
        custom('ReportsUndelivered', {}, { label: 'reports undelivered' }),
        custom('FindingsFailed', {}, { label: 'findings failed' }),
        lambda('Errors', n.functions.remediate, { label: 'remediate errors' }),
        lambda('Errors', n.functions.sweep, { label: 'sweep errors' }),
      ]),
    },
    {
      type: 'metric',
      properties: metric('Drift and changes left for later', [
        custom('Drift', {}, { label: 'drift (reported, not fixed)' }),
        custom('Deferred', {}, { label: 'deferred (over the cap)' }),
        custom('Waiting', {}, { label: 'waiting (pending)' }),
        custom('ExceptionsExpired', {}, { label: 'exceptions expired' }),
      ]),
    },
    durationWidget('remediate', shape.remediateTimeout),
    durationWidget('sweep', shape.sweepTimeout),
    {
      type: 'metric',
      properties: metric(
        'Async event age (max) and dropped events',
        [
          lambda('AsyncEventAge', n.functions.remediate, { stat: 'Maximum', label: 'remediate event age' }),
          lambda('AsyncEventsDropped', n.functions.remediate, { label: 'remediate dropped', yAxis: 'right' }),
          lambda('AsyncEventsDropped', n.functions.sweep, { label: 'sweep dropped', yAxis: 'right' }),
        ],
        { annotations: { horizontal: [{ label: 'alarm', value: 15 * 60 * 1000 }] } },
      ),
    },
    {
      type: 'metric',
      properties: metric(
        'Dead-letter queue',
        [
          ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', n.queue, { stat: 'Maximum', label: 'messages' }],
          ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', n.queue, { stat: 'Maximum', label: 'oldest (s)', yAxis: 'right' }],
        ],
        { stat: 'Maximum' },
      ),
    },
    {
      type: 'metric',
      properties: metric('Rule failed invocations', [
        ...rules.map((r): Metric => ['AWS/Events', 'FailedInvocations', 'RuleName', r, { label: `${ruleLabel(r)} failed` }]),
        ...n.eventRules.map((r): Metric => ['AWS/Events', 'InvocationsFailedToBeSentToDlq', 'RuleName', r, { label: `${ruleLabel(r)} not dead-lettered` }]),
      ]),
    },
    {
      type: 'metric',
      properties: metric('Invocations (the sweep line is the heartbeat)', [
        lambda('Invocations', n.functions.remediate, { label: 'remediate' }),
        lambda('Invocations', n.functions.sweep, { label: 'sweep' }),
        lambda('Throttles', n.functions.remediate, { label: 'remediate throttles' }),
      ]),
    },
  ];
  const widgets: Widget[] = grid.map((w, i) => ({ ...w, x: (i % 2) * 12, y: Math.floor(i / 2) * 6, width: 12, height: 6 }));
  const alarmArns = [...STACK_ALARMS, ...alarms.map((a) => a.suffix)].map(
    (suffix) => `arn:${PARTITION}:cloudwatch:${REGION}:${ACCOUNT}:alarm:${n.prefix}-${suffix}`,
  );
  const y = Math.ceil(grid.length / 2) * 6;
  widgets.push({ type: 'alarm', x: 0, y, width: 24, height: 8, properties: { title: 'Alarm status', alarms: alarmArns, sortBy: 'stateUpdatedTimestamp' } });
  return { widgets };
}
