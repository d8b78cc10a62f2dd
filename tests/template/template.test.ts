import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { OPERATIONS_BY_PRINCIPAL } from '../../lib/aws/index.js';
import { actionsOf } from '../../lib/aws/operations.js';
import { CATALOGUE } from '../../lib/events/catalogue.js';
import type { PackagedTemplate } from '../../support/package.js';

const file = inject('templateFile');
const template = JSON.parse(readFileSync(file, 'utf8')) as PackagedTemplate['template'];
const resources = template.Resources;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const props = (logicalId: string) => resources[logicalId]?.Properties as Record<string, any>;

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const statements = (props('IamRoleLambdaExecution').Policies[0].PolicyDocument.Statement as Statement[]).map((s) => ({ ...s, Action: [s.Action].flat() }));
const statement = (sid: string) => statements.find((s) => s.Sid === sid) as Statement & { Action: string[] };

describe('packaged template: functions', () => {
  it('runs Node.js 22 on arm64 with X-Ray tracing', () => {
    for (const id of ['RemediateLambdaFunction', 'SweepLambdaFunction']) {
      expect(props(id)).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    }
  });

  it('sets log retention', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    expect(groups).toHaveLength(2);
    for (const [, group] of groups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('reserves no concurrency for remediate by default (low-quota accounts cannot), one sweep at a time', () => {
    expect(props('RemediateLambdaFunction')).not.toHaveProperty('ReservedConcurrentExecutions');
    expect(props('SweepLambdaFunction').ReservedConcurrentExecutions).toBe(1);
  });

  it('bounds async retries and event age and sends failures to the DLQ', () => {
    expect(props('RemediateLambdaEvConf')).toMatchObject({
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } } },
    });
  });

  it('passes the configuration the handler reads', () => {
    expect(props('RemediateLambdaFunction').Environment.Variables).toMatchObject({
      TOPIC_ARN: { Ref: 'ReportTopic' },
      DLQ_URL: { Ref: 'DeadLetterQueue' },
      MAPPING_FILE: 'mapping.yaml',
      DRY_RUN: 'false',
      MAX_CHANGES: '50',
      NOTIFY_LEVEL: 'changes',
      SELF_ROLE_ARN: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/profile-guard-test-us-east-1' },
    });
  });
});

describe('packaged template: rules', () => {
  const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties as Record<string, any>);
  const patterned = rules.filter((r) => r.EventPattern);

  it('has one rule per catalogue entry, with the catalogue pattern', () => {
    expect(patterned).toHaveLength(CATALOGUE.length);
    const selfRole = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/profile-guard-test-us-east-1' };
    expect(patterned.map((r) => r.EventPattern)).toEqual(CATALOGUE.map((entry) => entry.pattern(selfRole)));
  });

  it('gives every rule target a retry policy and the DLQ', () => {
    for (const rule of patterned) {
      expect(rule.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': ['RemediateLambdaFunction', 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } },
        }),
      ]);
    }
  });

  it('only takes successful RunInstances and CreateFleet calls', () => {
    expect(patterned[0]?.EventPattern.detail).toMatchObject({ eventName: ['RunInstances', 'CreateFleet'], errorCode: [{ exists: false }] });
  });

  it('schedules the sweep', () => {
    const schedule = rules.find((r) => r.ScheduleExpression);
    expect(schedule).toMatchObject({
      ScheduleExpression: 'rate(6 hours)',
      State: 'ENABLED',
      Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': ['SweepLambdaFunction', 'Arn'] } })],
    });
  });
});

describe('packaged template: topic, queue and alarm', () => {
  it('encrypts the topic with a key CloudWatch alarms may use', () => {
    expect(props('ReportTopic').KmsMasterKeyId).toEqual({ 'Fn::If': ['CreateTopicKey', { Ref: 'ReportTopicKey' }, { Ref: 'KmsKeyArn' }] });
    const keyStatements = props('ReportTopicKey').KeyPolicy.Statement as Statement[];
    expect(keyStatements).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'] }),
    );
    expect(props('ReportTopicKey').EnableKeyRotation).toBe(true);
  });

  it('subscribes email only when a parameter gives one', () => {
    expect(resources.EmailSubscription?.Condition).toBe('HasNotifyEmail');
    expect(props('EmailSubscription')).toMatchObject({ Protocol: 'email', Endpoint: { Ref: 'NotifyEmail' } });
  });

  it('keeps dead letters 14 days, encrypted', () => {
    expect(props('DeadLetterQueue')).toMatchObject({ MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
  });

  it('lets only our own rules send to the DLQ', () => {
    const [allow] = props('DeadLetterQueuePolicy').PolicyDocument.Statement as Statement[];
    expect(allow).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/profile-guard-test-*' } } },
    });
    const ruleNames = ofType('AWS::Events::Rule').map(([, r]) => r.Properties.Name as string);
    expect(ruleNames.every((name) => name.startsWith('profile-guard-test-'))).toBe(true);
  });

  it('alarms on one visible dead letter and notifies the topic', () => {
    expect(props('DeadLetterAlarm')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: 'ReportTopic' }, { Ref: 'AlarmTopic' }],
    });
  });

  it('outputs the topic ARN and the DLQ URL', () => {
    expect(template.Outputs).toMatchObject({ ReportTopicArn: { Value: { Ref: 'ReportTopic' } }, DeadLetterQueueUrl: { Value: { Ref: 'DeadLetterQueue' } } });
  });
});

describe('packaged template: least-privilege IAM', () => {
  it('grants exactly the actions of the AWS operations the functions send (lib/aws declarations)', () => {
    const granted = new Set(statements.filter((s) => s.Sid).flatMap((s) => s.Action));
    expect([...granted].sort()).toEqual(actionsOf(OPERATIONS_BY_PRINCIPAL.remediate).sort());
  });

  it('has no wildcard action anywhere', () => {
    for (const s of statements) for (const action of s.Action) expect(action).not.toMatch(/\*/);
  });

  it('passes only the mapped roles, only to EC2', () => {
    const passRole = statement('PassOnlyMappedRolesToEc2');
    expect(passRole.Action).toEqual(['iam:PassRole']);
    expect(JSON.stringify(passRole.Resource)).not.toMatch(/role\/\*"/);
    expect(passRole.Resource).toContainEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/WebRole' });
    expect(passRole.Resource).toContainEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*/WebRole' });
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com'] } });
    expect(statements.filter((s) => s.Action.includes('iam:PassRole'))).toHaveLength(1);
  });

  it('attaches only the mapped profiles (ec2:NewInstanceProfile)', () => {
    const attach = statement('AttachOnlyMappedProfiles');
    expect(attach.Action).toEqual(['ec2:AssociateIamInstanceProfile', 'ec2:ReplaceIamInstanceProfileAssociation']);
    const allowed = ((attach.Condition?.ArnLike?.['ec2:NewInstanceProfile'] ?? []) as { 'Fn::Sub': string }[]).map(
      (v) => v['Fn::Sub'].split(':instance-profile/')[1],
    );
    expect(allowed).toEqual([
      'PaymentsProdProfile',
      '*/PaymentsProdProfile',
      'WebProfile',
      '*/WebProfile',
      'BatchProfile',
      '*/BatchProfile',
      'BaselineSsmProfile',
      '*/BaselineSsmProfile',
    ]);
  });

  it('publishes only to the topic and sends only to the DLQ', () => {
    expect(statement('PublishReports').Resource).toEqual([{ Ref: 'ReportTopic' }]);
    expect(statement('KeepFailuresInDeadLetterQueue').Resource).toEqual([{ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }]);
    expect(statement('EncryptReports').Resource).toEqual([{ 'Fn::If': ['CreateTopicKey', { 'Fn::GetAtt': ['ReportTopicKey', 'Arn'] }, { Ref: 'KmsKeyArn' }] }]);
  });

  it('allows IMDSv2 enforcement and detaching because the shipped mapping uses them', () => {
    expect(statement('RequireImdsv2').Action).toEqual(['ec2:ModifyInstanceMetadataOptions']);
    expect(statement('DetachProfiles').Action).toEqual(['ec2:DisassociateIamInstanceProfile']);
  });
});

describe('cfn-lint', () => {
  it('passes on the packaged template', () => {
    const lint = spawnSync('cfn-lint', [file], { encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });
});
