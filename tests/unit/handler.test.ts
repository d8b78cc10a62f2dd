import { AssociateIamInstanceProfileCommand, DescribeIamInstanceProfileAssociationsCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler, RetryableFailuresError } from '../../functions/remediate.js';
import { UNPUBLISHED_REPORT_KIND } from '../../lib/report/deliver.js';
import { reportSchema } from '../../lib/report/schema.js';
import { associationsOutput, describeInstancesOutput, ec2Error } from '../../support/ec2-mock.js';
import { sampleFor } from '../../support/samples.js';

// Class-level mocks: they reach the clients the handler builds for itself, as in Lambda.
const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);
const sqs = mockClient(SQSClient);
const context = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pg' } as Context;
const ID = 'i-0123456789abcdef0';
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/profile-guard-dlq';

describe('remediate handler: retries, reports and bad input', () => {
  beforeAll(() => {
    process.env.TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:profile-guard-reports';
    process.env.DLQ_URL = DLQ;
    process.env.SETTLE_WAIT_SECONDS = '0';
  });
  beforeEach(() => {
    ec2.reset();
    sns.reset();
    sqs.reset();
    const fleet = [{ id: ID, tags: { app: 'web-1' } }];
    ec2.on(DescribeInstancesCommand).resolves(describeInstancesOutput(fleet));
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves(associationsOutput(fleet));
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('drops a tag change on a volume without a single AWS call', async () => {
    const result = await handler(sampleFor('cloudtrail-create-tags-volume', []), context);
    expect(result).toMatchObject({ status: 'ignored', reason: 'the event names no instances' });
    expect(ec2.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('ignores a failed RunInstances without a single AWS call', async () => {
    const result = await handler(sampleFor('cloudtrail-run-instances-failed', [ID]), context);
    expect(result.status).toBe('ignored');
    expect(ec2.calls()).toHaveLength(0);
  });

  it('publishes the report, then throws so Lambda retries, when a failure is retryable', async () => {
    ec2.on(AssociateIamInstanceProfileCommand).rejects(ec2Error('IncorrectInstanceState', 'not running or stopped'));
    await expect(handler(sampleFor('ec2-state-running', [ID]), context)).rejects.toThrow(RetryableFailuresError);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('reports, and does not throw, when a failure cannot be helped by retrying', async () => {
    ec2.on(AssociateIamInstanceProfileCommand).rejects(ec2Error('UnauthorizedOperation', 'You are not authorized'));
    const result = await handler(sampleFor('ec2-state-running', [ID]), context);
    expect(result.results).toEqual([expect.objectContaining({ outcome: 'failed', error: expect.objectContaining({ name: 'PermissionDeniedError' }) })]);
    const publish = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish?.Subject).toBe('[profile-guard] 1 failed - 123456789012 us-east-1');
    expect(publish?.MessageAttributes?.outcome).toEqual({ DataType: 'String', StringValue: 'failed' });
  });

  it('wraps up before the Lambda timeout: reports, then throws for the retry', async () => {
    ec2.on(AssociateIamInstanceProfileCommand).resolves({});
    // 2.5 s left is less than the 3 s kept for the report: no instance work starts.
    const late = { ...context, getRemainingTimeInMillis: () => 2_500 } as Context;
    await expect(handler(sampleFor('ec2-state-running', [ID]), late)).rejects.toThrow(/i-0123456789abcdef0: OutOfTimeError/);
    expect(ec2).not.toHaveReceivedCommand(AssociateIamInstanceProfileCommand);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('sends the report to the DLQ when SNS refuses it, and still returns normally', async () => {
    ec2.on(AssociateIamInstanceProfileCommand).resolves({});
    sns.on(PublishCommand).rejects(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' }));
    sqs.on(SendMessageCommand).resolves({ MessageId: 'q-1' });
    const result = await handler(sampleFor('ec2-state-running', [ID]), context);
    expect(result.delivery).toBe('sent-to-dlq');
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.QueueUrl).toBe(DLQ);
    expect(sent?.MessageAttributes?.kind?.StringValue).toBe(UNPUBLISHED_REPORT_KIND);
    const body = JSON.parse(sent?.MessageBody ?? '{}');
    expect(body).toMatchObject({
      kind: UNPUBLISHED_REPORT_KIND,
      error: { name: 'UnexpectedAwsError', message: 'sns:Publish: NotFoundException: Topic does not exist' },
    });
    expect(reportSchema.parse(body.report).results[0]).toMatchObject({ instanceId: ID, outcome: 'changed' });
  });

  it('logs the report when both SNS and the DLQ refuse it, without throwing', async () => {
    ec2.on(AssociateIamInstanceProfileCommand).resolves({});
    sns.on(PublishCommand).rejects(new Error('SNS down'));
    sqs.on(SendMessageCommand).rejects(new Error('SQS down'));
    const result = await handler(sampleFor('ec2-state-running', [ID]), context);
    expect(result.delivery).toBe('lost');
    expect(result.results[0]?.outcome).toBe('changed');
  });
});

describe('remediate handler: a broken deployment', () => {
  it('fails with a named error and touches nothing when the environment is invalid', async () => {
    ec2.reset();
    vi.resetModules(); // a fresh container: the runtime is built on first use
    const previous = process.env.MAX_CHANGES;
    process.env.MAX_CHANGES = 'lots';
    try {
      const fresh = await import('../../functions/remediate.js');
      await expect(fresh.handler(sampleFor('ec2-state-running', [ID]), context)).rejects.toThrow(/invalid environment: MAX_CHANGES: /);
      expect(ec2.calls()).toHaveLength(0);
    } finally {
      if (previous === undefined) delete process.env.MAX_CHANGES;
      else process.env.MAX_CHANGES = previous;
    }
  });

  it('fails with the file, rule and reason when the mapping is invalid', async () => {
    vi.resetModules();
    process.env.MAPPING_FILE = 'tests/fixtures/mappings/shadowed.yaml';
    try {
      const fresh = await import('../../functions/remediate.js');
      await expect(fresh.handler(sampleFor('ec2-state-running', [ID]), context)).rejects.toThrow(
        /shadowed\.yaml: invalid mapping:\n {2}- rule 1 "web-payments": unreachable/,
      );
    } finally {
      delete process.env.MAPPING_FILE;
    }
  });
});
