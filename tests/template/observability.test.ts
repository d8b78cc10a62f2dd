import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { alarmSpecs } from '../../lib/observe/alarms.js';
import { METRICS_NAMESPACE } from '../../lib/observe/metrics.js';
import type { PackagedTemplate } from '../../support/package.js';

const template = JSON.parse(readFileSync(inject('templateFile'), 'utf8')) as PackagedTemplate['template'];
const resources = template.Resources;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const props = (id: string) => resources[id]?.Properties as Record<string, any>;

type Alarm = {
  AlarmName: string;
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: unknown }[];
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
  AlarmActions: unknown[];
  OKActions: unknown[];
  Period: number;
  EvaluationPeriods: number;
  Statistic?: string;
  ExtendedStatistic?: string;
};
const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties as unknown as Alarm);
const dimension = (alarm: Alarm, name: string) => alarm.Dimensions.find((d) => d.Name === name)?.Value;
const alarmOn = (namespace: string, metric: string, dim: string, value: unknown) =>
  alarms.filter((a) => a.Namespace === namespace && a.MetricName === metric && JSON.stringify(dimension(a, dim)) === JSON.stringify(value));

const functions = Object.fromEntries(ofType('AWS::Lambda::Function').map(([id, r]) => [id, r.Properties as { FunctionName: string; Timeout: number }]));
const remediate = functions.RemediateLambdaFunction as { FunctionName: string; Timeout: number };
const sweep = functions.SweepLambdaFunction as { FunctionName: string; Timeout: number };
const eventRules = ofType('AWS::Events::Rule')
  .filter(([, r]) => r.Properties.EventPattern)
  .map(([, r]) => r.Properties.Name as string);
const scheduleRule = ofType('AWS::Events::Rule').find(([, r]) => r.Properties.ScheduleExpression)?.[1].Properties as {
  Name: string;
  ScheduleExpression: string;
};
const queueName = props('DeadLetterQueue').QueueName as string;

/** What CloudFormation would make of a Fn::Sub in this account and region. */
const resolve = (sub: string) =>
  sub.replaceAll('${AWS::Region}', 'us-east-1').replaceAll('${AWS::AccountId}', '123456789012').replaceAll('${AWS::Partition}', 'aws');
const globToRegExp = (glob: string) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);
const alarmArn = (name: string) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`;

describe('alarms on every silent failure', () => {
  it('covers each function: errors, throttles, duration, async event age, dropped events, destination failures', () => {
    for (const fn of [remediate, sweep]) {
      for (const metric of ['Errors', 'Throttles', 'Duration', 'AsyncEventAge', 'AsyncEventsDropped', 'DestinationDeliveryFailures']) {
        expect(alarmOn('AWS/Lambda', metric, 'FunctionName', fn.FunctionName), `${metric} on ${fn.FunctionName}`).toHaveLength(1);
      }
    }
  });

  it('covers each rule: failed invocations, and for the four event rules events that could not be dead-lettered', () => {
    expect(eventRules).toHaveLength(4);
    for (const rule of [...eventRules, scheduleRule.Name]) expect(alarmOn('AWS/Events', 'FailedInvocations', 'RuleName', rule), rule).toHaveLength(1);
    for (const rule of eventRules) expect(alarmOn('AWS/Events', 'InvocationsFailedToBeSentToDlq', 'RuleName', rule), rule).toHaveLength(1);
  });

  it('covers the DLQ (depth and the age of its oldest message) and the Failed metric', () => {
    const queue = { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] };
    expect(alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queue)).toHaveLength(1);
    expect(alarmOn('AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', queue)).toHaveLength(1);
    const [failed] = alarmOn(METRICS_NAMESPACE, 'Failed', 'stage', 'test');
    expect(failed).toMatchObject({ Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    expect(dimension(failed as Alarm, 'service')).toBe('profile-guard');
  });

  it("alarms when p99 duration passes 80% of each function's own timeout", () => {
    for (const fn of [remediate, sweep]) {
      const [alarm] = alarmOn('AWS/Lambda', 'Duration', 'FunctionName', fn.FunctionName);
      expect(alarm).toMatchObject({ ExtendedStatistic: 'p99', ComparisonOperator: 'GreaterThanThreshold' });
      expect(alarm?.Threshold).toBeLessThanOrEqual(0.8 * fn.Timeout * 1000);
      expect(alarm?.Threshold).toBeGreaterThan(0.7 * fn.Timeout * 1000);
    }
  });

  it('has a sweep heartbeat: no invocation for twice the schedule, and silence itself breaches', () => {
    expect(scheduleRule.ScheduleExpression).toBe('rate(6 hours)');
    const [heartbeat] = alarmOn('AWS/Lambda', 'Invocations', 'FunctionName', sweep.FunctionName);
    expect(heartbeat).toMatchObject({ Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    expect((heartbeat?.Period ?? 0) * (heartbeat?.EvaluationPeriods ?? 0)).toBe(2 * 6 * 3600);
  });

  it('treats missing data deliberately on every alarm: only the heartbeat counts silence as failure', () => {
    for (const alarm of alarms) expect(alarm.TreatMissingData, alarm.AlarmName).toBe(alarm.MetricName === 'Invocations' ? 'breaching' : 'notBreaching');
  });

  it('notifies the report topic and the alarms topic, on ALARM and on OK, from every alarm', () => {
    expect(alarms.length).toBeGreaterThanOrEqual(25);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions, alarm.AlarmName).toEqual([{ Ref: 'ReportTopic' }, { Ref: 'AlarmTopic' }]);
      expect(alarm.OKActions, alarm.AlarmName).toEqual([{ Ref: 'ReportTopic' }, { Ref: 'AlarmTopic' }]);
    }
  });

  it("names every alarm after the stage, so the topic policies can admit exactly this stage's alarms", () => {
    expect(alarms.every((a) => a.AlarmName.startsWith('profile-guard-test-'))).toBe(true);
    expect(new Set(alarms.map((a) => a.AlarmName)).size).toBe(alarms.length);
  });
});

describe('the topics admit every alarm', () => {
  const cloudwatchStatement = (policyId: string) =>
    (
      props(policyId).PolicyDocument.Statement as {
        Principal: { Service?: string };
        Action: string;
        Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::Sub': string } } };
      }[]
    ).find((s) => s.Principal.Service === 'cloudwatch.amazonaws.com');

  for (const [policyId, topic] of [
    ['ReportTopicPolicy', 'ReportTopic'],
    ['AlarmTopicPolicy', 'AlarmTopic'],
  ] as const) {
    it(`${policyId} lets CloudWatch publish for each alarm of the stage to ${topic}`, () => {
      const statement = cloudwatchStatement(policyId);
      expect(statement).toMatchObject({ Action: 'sns:Publish', Resource: { Ref: topic } });
      const pattern = globToRegExp(resolve(statement?.Condition.ArnLike['aws:SourceArn']['Fn::Sub'] ?? ''));
      expect(alarms.map((a) => a.AlarmName).filter((name) => !pattern.test(alarmArn(name)))).toEqual([]);
      expect(pattern.test(alarmArn('profile-guard-prod-failed'))).toBe(false);
    });
  }

  it('encrypts the alarms topic with the key whose policy lets CloudWatch use it', () => {
    // The stack's own key, or the existing one the kmsKeyArn parameter names, as for the report topic.
    expect(props('AlarmTopic').KmsMasterKeyId).toEqual({ 'Fn::If': ['CreateTopicKey', { Ref: 'ReportTopicKey' }, { Ref: 'KmsKeyArn' }] });
    expect(props('AlarmTopic').KmsMasterKeyId).toEqual(props('ReportTopic').KmsMasterKeyId);
    const keyStatement = (props('ReportTopicKey').KeyPolicy.Statement as { Principal: { Service?: string }; Action: string[]; Condition: object }[]).find(
      (s) => s.Principal.Service === 'cloudwatch.amazonaws.com',
    );
    expect(keyStatement).toMatchObject({
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
  });

  it('outputs the alarms topic for subscribers that filter the report topic', () => {
    expect(template.Outputs).toMatchObject({ AlarmTopicArn: { Value: { Ref: 'AlarmTopic' } } });
  });
});

describe('the dashboard', () => {
  const dashboard = props('Dashboard');
  const body = JSON.parse(resolve(dashboard.DashboardBody['Fn::Sub'])) as {
    widgets: { type: string; properties: { title?: string; metrics?: unknown[][]; alarms?: string[]; annotations?: { horizontal: { value: number }[] } } }[];
  };
  const text = JSON.stringify(body);
  const metricWidget = (title: string) => body.widgets.find((w) => w.properties.title === title);

  it('is valid JSON naming both functions, the four rules, the DLQ and the namespace', () => {
    for (const name of [remediate.FunctionName, sweep.FunctionName, ...eventRules, queueName, METRICS_NAMESPACE]) expect(text, name).toContain(`"${name}"`);
  });

  it('has one name per region (dashboards are global to the account)', () => {
    expect(dashboard.DashboardName).toEqual({ 'Fn::Sub': 'profile-guard-test-${AWS::Region}' });
  });

  it('shows remediations by action, failures, drift, duration against the timeout, event age, DLQ depth and rule failures', () => {
    expect(metricWidget('Remediations by action')?.properties.metrics?.map((m) => m[7])).toEqual(['associate', 'replace', 'detach-attach', 'remove', 'imdsv2']);
    expect(JSON.stringify(metricWidget('Failures'))).toContain('"Failed"');
    expect(JSON.stringify(metricWidget('Drift and changes left for later'))).toContain('"Drift"');
    expect(metricWidget('remediate duration p99 vs timeout')?.properties.annotations?.horizontal[0]?.value).toBe(remediate.Timeout * 1000);
    expect(metricWidget('sweep duration p99 vs timeout')?.properties.annotations?.horizontal[0]?.value).toBe(sweep.Timeout * 1000);
    expect(JSON.stringify(metricWidget('Async event age (max) and dropped events'))).toContain('"AsyncEventAge"');
    expect(JSON.stringify(metricWidget('Dead-letter queue'))).toContain('"ApproximateNumberOfMessagesVisible"');
    expect(
      metricWidget('Rule failed invocations')
        ?.properties.metrics?.filter((m) => m[1] === 'FailedInvocations')
        .map((m) => m[3]),
    ).toEqual([...eventRules, scheduleRule.Name]);
  });

  it('shows the status of every alarm in the stack', () => {
    const widget = body.widgets.find((w) => w.type === 'alarm');
    expect(new Set(widget?.properties.alarms)).toEqual(new Set(alarms.map((a) => alarmArn(a.AlarmName))));
  });
});

describe('what the parameters change', () => {
  const shape = { stage: 'prod', remediateTimeout: 120, sweepTimeout: 900, sweepPeriodSeconds: 3600, sweepEnabled: true, securityHub: false };

  it('adds the findings alarm only with Security Hub on, and drops the heartbeat with the sweep off', () => {
    expect(alarmSpecs(shape).map((a) => a.suffix)).not.toContain('findings-failed');
    expect(alarmSpecs({ ...shape, securityHub: true }).map((a) => a.suffix)).toContain('findings-failed');
    expect(alarmSpecs({ ...shape, sweepEnabled: false }).map((a) => a.suffix)).not.toContain('sweep-heartbeat');
  });

  it('follows the sweep rate in the heartbeat', () => {
    const heartbeat = alarmSpecs(shape).find((a) => a.suffix === 'sweep-heartbeat');
    expect(heartbeat).toMatchObject({ period: 7200, evaluationPeriods: 1 });
  });

  it('grants no Security Hub action in the packaged (default) template', () => {
    const statements = props('IamRoleLambdaExecution').Policies[0].PolicyDocument.Statement as { Action: string | string[] }[];
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('securityhub:'))).toEqual([]);
    expect(props('RemediateLambdaFunction').Environment.Variables).toMatchObject({ SECURITY_HUB: 'false', STAGE: 'test', SWEEP_RATE: 'rate(6 hours)' });
  });
});
