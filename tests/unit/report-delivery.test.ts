import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { classifyDeadLetter, stackFrom } from '../../lib/dlq.js';
import { silentLog } from '../../lib/log.js';
import { buildReport } from '../../lib/report/build.js';
import { deliverReport, UNPUBLISHED_REPORT_KIND } from '../../lib/report/deliver.js';
import { buildSnsMessage, buildSnsMessages } from '../../lib/report/message.js';
import { reportSchema } from '../../lib/report/schema.js';
import { GOLDEN_INPUT, MIXED_RESULTS, realisticResults } from '../fixtures/results.js';

const { results: _results, ...base } = GOLDEN_INPUT;
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:profile-guard-prod-reports';
const DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/profile-guard-prod-dlq';
const big = buildReport({ ...base, results: realisticResults(1000) });
const partCount = buildSnsMessages(big).length;

const sns = new SNSClient({ region: 'eu-west-1' });
const sqs = new SQSClient({ region: 'eu-west-1' });
const snsMock = mockClient(sns);
const sqsMock = mockClient(sqs);
const target = { topicArn: TOPIC, dlqUrl: DLQ, notifyLevel: 'changes' as const };
const partOf = (input: PublishCommandInput) => Number(input.MessageAttributes?.part?.StringValue);

describe('delivering a report in parts', () => {
  beforeEach(() => {
    snsMock.reset();
    sqsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'q' });
  });

  it('publishes every part to the topic', async () => {
    expect(partCount).toBeGreaterThan(1);
    expect(await deliverReport({ sns, sqs }, silentLog, big, target)).toBe('published');
    const published = snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map(partOf).sort((a, b) => a - b)).toEqual(Array.from({ length: partCount }, (_, i) => i + 1));
    expect(published.every((p) => p.TopicArn === TOPIC && p.MessageStructure === 'json')).toBe(true);
    expect(published.flatMap((p) => reportSchema.parse(JSON.parse(JSON.parse(p.Message ?? '').sqs)).results)).toHaveLength(1000);
    expect(sqsMock.calls()).toHaveLength(0);
  });

  it('sends a part SNS refuses to the DLQ on its own, publishes the rest, and says sent-to-dlq', async () => {
    snsMock.on(PublishCommand).callsFake(async (input: PublishCommandInput) => {
      if (partOf(input) === 2) throw Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' });
      return { MessageId: 'm' };
    });

    expect(await deliverReport({ sns, sqs }, silentLog, big, target)).toBe('sent-to-dlq');

    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(partCount);
    const sent = sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ QueueUrl: DLQ, MessageAttributes: { kind: { DataType: 'String', StringValue: UNPUBLISHED_REPORT_KIND } } });
    const body = JSON.parse(sent[0]?.MessageBody ?? '');
    expect(body).toMatchObject({
      kind: UNPUBLISHED_REPORT_KIND,
      version: 1,
      topicArn: TOPIC,
      error: { name: 'UnexpectedAwsError', message: 'sns:Publish: KMSDisabledException: KMS key disabled' },
    });
    const stored = reportSchema.parse(body.report);
    expect(stored).toMatchObject({ reportId: big.reportId, part: { index: 2, count: partCount }, counts: big.counts });
    expect(stored.results).toEqual(JSON.parse(JSON.stringify(buildSnsMessages(big)[1]?.report.results)));

    // What redrive reads back and republishes is that same part, under its own number.
    const found = stackFrom({ queueUrl: DLQ, account: '123456789012', region: 'eu-west-1' });
    if (!found.ok) throw new Error(found.problem);
    const letter = classifyDeadLetter(sent[0]?.MessageBody, sent[0]?.MessageAttributes, found.stack);
    expect(letter.kind).toBe('unpublished-report');
    if (letter.kind !== 'unpublished-report') return;
    expect(buildSnsMessage(letter.report).MessageAttributes.part).toEqual({ DataType: 'Number', StringValue: '2' });
  });

  it('says lost, without throwing, when a part reaches neither SNS nor the DLQ', async () => {
    snsMock.on(PublishCommand).rejects(new Error('SNS down'));
    sqsMock.on(SendMessageCommand).rejects(new Error('SQS down'));
    expect(await deliverReport({ sns, sqs }, silentLog, big, target)).toBe('lost');
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(partCount);
  });

  it('says lost when SNS refuses and no DLQ is configured', async () => {
    snsMock.on(PublishCommand).rejects(new Error('SNS down'));
    expect(await deliverReport({ sns, sqs }, silentLog, big, { ...target, dlqUrl: undefined })).toBe('lost');
    expect(sqsMock.calls()).toHaveLength(0);
  });

  it('says lost, without throwing, for a part too big to publish (only a hand-made one can be)', async () => {
    const oversized = { ...big, part: { index: 2, count: 3 } };
    expect(await deliverReport({ sns, sqs }, silentLog, oversized, target)).toBe('lost');
    expect(snsMock.calls()).toHaveLength(0);
  });

  it('publishes within an odd number of milliseconds left before the deadline (half of it is not a whole number)', async () => {
    const small = buildReport({ ...base, results: MIXED_RESULTS });
    const deadline = { signal: new AbortController().signal, msLeft: () => 1_491, expired: () => false };
    expect(await deliverReport({ sns, sqs }, silentLog, small, target, deadline)).toBe('published');
  });

  it('publishes a report that fits as one message', async () => {
    expect(await deliverReport({ sns, sqs }, silentLog, buildReport({ ...base, results: MIXED_RESULTS }), target)).toBe('published');
    expect(snsMock.commandCalls(PublishCommand).map((c) => partOf(c.args[0].input))).toEqual([1]);
  });

  it('publishes nothing below the notify level, or without a topic', async () => {
    const quiet = buildReport({ ...base, results: MIXED_RESULTS.filter((r) => r.outcome === 'waiting' || r.outcome === 'unchanged') });
    expect(await deliverReport({ sns, sqs }, silentLog, quiet, target)).toBe('not-needed');
    expect(await deliverReport({ sns, sqs }, silentLog, big, { ...target, topicArn: undefined })).toBe('no-topic');
    expect(snsMock.calls()).toHaveLength(0);
  });
});
