import {
  AssociateIamInstanceProfileCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { associationsOutput, describeInstancesOutput, writeCalls } from '../../support/ec2-mock.js';
import { asReceived, type DlqFixture, type DlqFixtureName, dlqFixture } from '../fixtures/dlq/index.js';
import { cli } from '../helpers/cli.js';

// Class-level mocks reach the clients the CLI builds from the operator's environment.
const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);

const ACCOUNT = '123456789012';
const OTHER = '999999999999';
const QUEUE = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/profile-guard-dev-dlq`;
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:profile-guard-dev-reports`;
const ID = 'i-0123456789abcdef0';

/** The queue holds these messages once; receipt handles are rh-<id>. */
function dlqHolds(...messages: Message[]) {
  sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages }).resolves({ Messages: [] });
}
const genuine = (name: DlqFixtureName, id: string) => asReceived(dlqFixture(name, ID), id);
function forged(name: DlqFixtureName, id: string, edit: (body: any, attributes: DlqFixture['attributes']) => void): Message {
  const fixture = dlqFixture(name, ID);
  edit(fixture.body, fixture.attributes);
  return asReceived(fixture, id);
}
const redrive = (...extra: string[]) => cli(['redrive', '--queue-url', QUEUE, ...extra]);

const deleted = () => sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle);
const madeVisible = () => sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => [c.args[0].input.ReceiptHandle, c.args[0].input.VisibilityTimeout]);
const sweeps = () =>
  ec2.commandCalls(DescribeInstancesCommand).filter((c) => !(c.args[0].input as DescribeInstancesCommandInput).Filters?.some((f) => f.Name === 'instance-id'));
const lineOf = (stdout: string, id: string) => stdout.split('\n').find((line) => line.startsWith(id)) ?? '';

describe('redrive trusts only what provably comes from this stack', () => {
  beforeEach(() => {
    for (const mock of [sqs, sns, ec2, sts]) mock.reset();
    delete process.env.TOPIC_ARN;
    delete process.env.DLQ_URL;
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
    const fleet = [{ id: ID, tags: { app: 'web-1' } }];
    ec2.on(DescribeInstancesCommand).resolves(describeInstancesOutput(fleet));
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves(associationsOutput(fleet));
    ec2.on(AssociateIamInstanceProfileCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    sqs.on(DeleteMessageCommand).resolves({});
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
  });

  it('handles and deletes the genuine message of each kind', async () => {
    dlqHolds(
      genuine('lambda-destination-remediate', 'm1'),
      genuine('eventbridge-undelivered', 'm2'),
      genuine('lambda-destination-sweep', 'm3'),
      genuine('unpublished-report', 'm4'),
    );

    const result = await redrive();

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `profile-guard-dev in ${ACCOUNT} us-east-1: only this stack's dead letters are handled; reports are republished only to ${TOPIC}`,
    );
    expect(lineOf(result.stdout, 'm1')).toMatch(/failed-invocation\s+deleted\s+1 fixed/);
    expect(lineOf(result.stdout, 'm2')).toMatch(/undelivered-event\s+deleted\s+1 fixed/);
    expect(lineOf(result.stdout, 'm3')).toMatch(/failed-sweep\s+deleted\s+sweep ran again: 1 fixed/);
    expect(lineOf(result.stdout, 'm4')).toMatch(
      new RegExp(`unpublished-report\\s+deleted\\s+published report 7d3f1a52-4c8e-4b19-9e06-2a5b8c1d7f34 to ${TOPIC}`),
    );
    expect(result.stdout).toContain('4 message(s): 4 handled and deleted, 0 failed again and kept, 0 set aside and kept');
    expect(deleted()).toEqual(['rh-m1', 'rh-m2', 'rh-m3', 'rh-m4']);
    expect(sweeps()).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input.TopicArn)).toEqual([TOPIC]);
  });

  it('never publishes a report to a topic its body names, nor anywhere else', async () => {
    const elsewhere = `arn:aws:sns:us-east-1:${OTHER}:profile-guard-dev-reports`;
    dlqHolds(forged('unpublished-report', 'm1', (body) => (body.topicArn = elsewhere)));

    const result = await redrive();

    expect(result.code).toBe(1);
    expect(lineOf(result.stdout, 'm1')).toMatch(
      /unpublished-report\s+set aside\s+names topic arn:aws:sns:us-east-1:999999999999:profile-guard-dev-reports, not the configured topic/,
    );
    expect(sns.calls()).toHaveLength(0);
    expect(deleted()).toEqual([]);
    expect(madeVisible()).toEqual([['rh-m1', 0]]);
  });

  it.each<[string, (body: any) => void]>([
    ['another account', (body) => (body.requestContext.functionArn = `arn:aws:lambda:us-east-1:${OTHER}:function:profile-guard-dev-sweep:$LATEST`)],
    ['another stage', (body) => (body.requestContext.functionArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:profile-guard-prod-sweep`)],
    ['some other function', (body) => (body.requestContext.functionArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:nightly-report`)],
    ['our sweep, for another rule', (body) => (body.requestPayload.resources = [`arn:aws:events:us-east-1:${ACCOUNT}:rule/anything`])],
  ])('does not sweep the region on a "failed sweep" from %s', async (_case, edit) => {
    dlqHolds(forged('lambda-destination-sweep', 'm1', edit));

    const result = await redrive();

    expect(result.code).toBe(1);
    expect(lineOf(result.stdout, 'm1')).toMatch(/failed-sweep\s+set aside\s+\S/);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
    expect(deleted()).toEqual([]);
  });

  it.each<[string, DlqFixtureName, (body: any, attributes: DlqFixture['attributes']) => void, RegExp]>([
    [
      'an undelivered event from another account',
      'eventbridge-undelivered',
      (body) => (body.account = OTHER),
      /undelivered-event\s+set aside\s+the event is from 999999999999 us-east-1, not 123456789012 us-east-1/,
    ],
    [
      'a failed invocation of an event from another account',
      'lambda-destination-remediate',
      (body) => (body.requestPayload.account = OTHER),
      /failed-invocation\s+set aside\s+the event is from 999999999999/,
    ],
    [
      'an event from the rule of another stack',
      'eventbridge-undelivered',
      (_body, attributes) => (attributes.RULE_ARN = { DataType: 'String', StringValue: `arn:aws:events:us-east-1:${ACCOUNT}:rule/profile-guard-prod-tags` }),
      /undelivered-event\s+set aside\s+from rule arn:aws:events:us-east-1:123456789012:rule\/profile-guard-prod-tags, not one of profile-guard-dev's rules/,
    ],
    [
      'an event without the attributes EventBridge sets',
      'eventbridge-undelivered',
      (_body, attributes) => delete attributes.RULE_ARN,
      /undelivered-event\s+set aside\s+an EventBridge event without the RULE_ARN attribute/,
    ],
  ])('sets aside %s and touches no instance', async (_case, name, edit, line) => {
    dlqHolds(forged(name, 'm1', edit));

    const result = await redrive();

    expect(result.code).toBe(1);
    expect(lineOf(result.stdout, 'm1')).toMatch(line);
    expect(ec2.calls()).toHaveLength(0);
    expect(deleted()).toEqual([]);
    expect(madeVisible()).toEqual([['rh-m1', 0]]);
  });

  it('keeps a malformed or forged message with its reason, and handles the others around it', async () => {
    dlqHolds(
      { MessageId: 'm1', ReceiptHandle: 'rh-m1', Body: '\u001b[2Jnot json' },
      genuine('unpublished-report', 'm2'),
      forged('unpublished-report', 'm3', (body) => (body.topicArn = `arn:aws:sns:us-east-1:${OTHER}:x`)),
      genuine('lambda-destination-remediate', 'm4'),
    );

    const result = await redrive();

    expect(result.code).toBe(1);
    expect(lineOf(result.stdout, 'm1')).toMatch(/unknown\s+set aside\s+the body is not JSON/);
    expect(result.stdout).toContain('4 message(s): 2 handled and deleted, 0 failed again and kept, 2 set aside and kept');
    expect(deleted()).toEqual(['rh-m2', 'rh-m4']);
    expect(madeVisible()).toEqual([
      ['rh-m1', 0],
      ['rh-m3', 0],
    ]);
  });

  it('keeps a report SNS refuses again, and still handles the rest', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Access to the KMS key is denied'), { name: 'KMSAccessDeniedException' }));
    dlqHolds(genuine('unpublished-report', 'm1'), genuine('eventbridge-undelivered', 'm2'));

    const result = await redrive();

    expect(lineOf(result.stdout, 'm1')).toMatch(
      /unpublished-report\s+kept\s+publish failed again: sns:Publish: KMSAccessDeniedException: Access to the KMS key is denied/,
    );
    expect(deleted()).toEqual(['rh-m2']);
    expect(madeVisible()).toEqual([['rh-m1', 0]]);
  });

  it('--dry-run says what it would do with each message and changes, publishes and deletes nothing', async () => {
    dlqHolds(
      genuine('lambda-destination-remediate', 'm1'),
      genuine('eventbridge-undelivered', 'm2'),
      genuine('lambda-destination-sweep', 'm3'),
      genuine('unpublished-report', 'm4'),
      forged('unpublished-report', 'm5', (body) => (body.topicArn = `arn:aws:sns:us-east-1:${OTHER}:x`)),
    );

    // A configured topic too: a dry run must not even publish the replayed events' own reports there.
    const result = await redrive('--dry-run', '--topic-arn', TOPIC);

    expect(result.code).toBe(1);
    expect(lineOf(result.stdout, 'm1')).toMatch(/failed-invocation\s+would handle\s+1 would be fixed/);
    expect(lineOf(result.stdout, 'm2')).toMatch(/undelivered-event\s+would handle\s+1 would be fixed/);
    expect(lineOf(result.stdout, 'm3')).toMatch(/failed-sweep\s+would handle\s+would run profile-guard-dev's sweep over us-east-1 again/);
    expect(lineOf(result.stdout, 'm4')).toMatch(
      new RegExp(`unpublished-report\\s+would handle\\s+would publish report 7d3f1a52-4c8e-4b19-9e06-2a5b8c1d7f34 to ${TOPIC}`),
    );
    expect(lineOf(result.stdout, 'm5')).toMatch(/unpublished-report\s+set aside\s+names topic/);
    expect(result.stdout).toContain(
      '5 message(s), dry run: 4 would be handled, 0 would fail and be kept, 1 set aside; nothing was changed, published or deleted',
    );
    expect(writeCalls(ec2)).toEqual([]);
    expect(sweeps()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
    expect(deleted()).toEqual([]);
    expect(madeVisible().map(([handle]) => handle)).toEqual(['rh-m1', 'rh-m2', 'rh-m3', 'rh-m4', 'rh-m5']);
  });

  it.each([
    [
      'a queue in another account',
      `https://sqs.us-east-1.amazonaws.com/${OTHER}/profile-guard-dev-dlq`,
      [],
      `the queue is in account ${OTHER} but your credentials are for ${ACCOUNT}`,
    ],
    ['a queue that is not a profile-guard DLQ', `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/orders-dlq`, [], 'queue orders-dlq is not a profile-guard DLQ'],
    ['a --stage the queue does not have', QUEUE, ['--stage', 'prod'], '--stage prod does not match the queue profile-guard-dev-dlq (stage dev)'],
  ])('refuses %s before reading a message', async (_case, queueUrl, extra, problem) => {
    const result = await cli(['redrive', '--queue-url', queueUrl, ...extra]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`profile-guard: ${problem}`);
    expect(sqs.calls()).toHaveLength(0);
  });
});
