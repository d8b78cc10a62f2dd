import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, type MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportSchema } from '../../lib/report/schema.js';
import { createNotifications, createQueue, drain, launchOne, profilesOf, subscribeQueue } from '../../support/world.js';
import { dlqFixture } from '../fixtures/dlq/index.js';
import { useWorld } from '../helpers/aws-world.js';
import { cli } from '../helpers/cli.js';

const ACCOUNT = '123456789012';
const OTHER = '999999999999';

/** Middleware that makes moto serve a request as another account (server mode reads the account from this header). */
const asAccount = (account: string) => (next: (args: any) => Promise<any>) => async (args: { request: unknown }) => {
  (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = account;
  return next(args);
};

describe('redrive on moto: a DLQ holding genuine and forged messages of each kind', () => {
  const world = useWorld();
  beforeAll(() => {
    process.env.SETTLE_WAIT_SECONDS = '0';
    delete process.env.TOPIC_ARN;
    delete process.env.DLQ_URL;
  });

  it('handles and deletes the genuine ones, keeps the forged ones with the reason, and never publishes to another account', async () => {
    const { sqs, sns, ec2 } = world.clients;
    // The dev stack: topic profile-guard-dev-reports with a subscriber queue, DLQ profile-guard-dev-dlq.
    const dev = await createNotifications(sns, sqs, 'profile-guard-dev');
    // Another account's topic of the same name, watched by a queue in that account.
    const foreignSns = new SNSClient({});
    const foreignSqs = new SQSClient({});
    foreignSns.middlewareStack.add(asAccount(OTHER), { step: 'build', name: 'motoAccount' });
    foreignSqs.middlewareStack.add(asAccount(OTHER), { step: 'build', name: 'motoAccount' });
    const { TopicArn: foreignTopic = '' } = await foreignSns.send(new CreateTopicCommand({ Name: 'profile-guard-dev-reports' }));
    const foreignWatch = await createQueue(foreignSqs, 'watch');
    await subscribeQueue(foreignSns, foreignSqs, foreignTopic, foreignWatch);

    const [a, b, c] = [
      await launchOne(ec2, { tags: { app: 'web-a' } }),
      await launchOne(ec2, { tags: { app: 'web-b' } }),
      await launchOne(ec2, { tags: { app: 'web-c' } }),
    ];
    const send = (fixture: { body: object; attributes: Record<string, MessageAttributeValue> }) =>
      sqs.send(
        new SendMessageCommand({
          QueueUrl: dev.dlqUrl,
          MessageBody: JSON.stringify(fixture.body),
          MessageAttributes: Object.keys(fixture.attributes).length > 0 ? fixture.attributes : undefined,
        }),
      );

    // Forged, one of each kind; the events name instance c.
    const remediateElsewhere = dlqFixture('lambda-destination-remediate', c);
    (remediateElsewhere.body.requestContext as { functionArn: string }).functionArn =
      `arn:aws:lambda:us-east-1:${OTHER}:function:profile-guard-dev-remediate:$LATEST`;
    const otherStacksRule = dlqFixture('eventbridge-undelivered', c);
    otherStacksRule.attributes.RULE_ARN = { DataType: 'String', StringValue: `arn:aws:events:us-east-1:${ACCOUNT}:rule/profile-guard-prod-tags` };
    const otherStacksSweep = dlqFixture('lambda-destination-sweep');
    (otherStacksSweep.body.requestContext as { functionArn: string }).functionArn =
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:profile-guard-prod-sweep:$LATEST`;
    const reportElsewhere = dlqFixture('unpublished-report');
    Object.assign(reportElsewhere.body, { topicArn: foreignTopic });
    Object.assign(reportElsewhere.body.report as object, { reportId: 'forged-report' });
    for (const fixture of [remediateElsewhere, otherStacksRule, otherStacksSweep, reportElsewhere]) await send(fixture);
    await sqs.send(new SendMessageCommand({ QueueUrl: dev.dlqUrl, MessageBody: 'not json' }));

    const forgedLines = [
      new RegExp(
        `failed-invocation\\s+set aside\\s+from function arn:aws:lambda:us-east-1:${OTHER}:function:profile-guard-dev-remediate:\\$LATEST, not profile-guard-dev-remediate or -sweep`,
      ),
      /undelivered-event\s+set aside\s+from rule arn:aws:events:us-east-1:123456789012:rule\/profile-guard-prod-tags, not one of profile-guard-dev's rules/,
      /failed-sweep\s+set aside\s+from function arn:aws:lambda:us-east-1:123456789012:function:profile-guard-prod-sweep:\$LATEST, not profile-guard-dev-remediate or -sweep/,
      new RegExp(
        `unpublished-report\\s+set aside\\s+names topic ${foreignTopic}, not the configured topic arn:aws:sns:us-east-1:${ACCOUNT}:profile-guard-dev-reports`,
      ),
      /unknown\s+set aside\s+the body is not JSON/,
    ];

    // Forged alone: nothing acts. No instance is touched (a sweep would have fixed all three), nothing is published.
    const forgedOnly = await cli(['redrive', '--queue-url', dev.dlqUrl]);
    expect(forgedOnly.code).toBe(1);
    for (const line of forgedLines) expect(forgedOnly.stdout).toMatch(line);
    expect(forgedOnly.stdout).toContain('5 message(s): 0 handled and deleted, 0 failed again and kept, 5 set aside and kept');
    expect(await profilesOf(ec2, [a, b, c])).toEqual({ [a]: null, [b]: null, [c]: null });

    // Now the genuine ones join them.
    const report = dlqFixture('unpublished-report');
    for (const fixture of [
      dlqFixture('lambda-destination-remediate', a),
      dlqFixture('eventbridge-undelivered', b),
      dlqFixture('lambda-destination-sweep'),
      report,
    ])
      await send(fixture);

    const result = await cli(['redrive', '--queue-url', dev.dlqUrl]);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/failed-invocation\s+deleted\s+1 fixed/);
    expect(result.stdout).toMatch(/undelivered-event\s+deleted\s+1 fixed/);
    expect(result.stdout).toMatch(/failed-sweep\s+deleted\s+sweep ran again: /);
    expect(result.stdout).toMatch(
      /unpublished-report\s+deleted\s+published report 7d3f1a52-4c8e-4b19-9e06-2a5b8c1d7f34 to arn:aws:sns:us-east-1:123456789012:profile-guard-dev-reports/,
    );
    for (const line of forgedLines) expect(result.stdout).toMatch(line);
    expect(result.stdout).toContain('9 message(s): 4 handled and deleted, 0 failed again and kept, 5 set aside and kept');
    // The genuine sweep covers the region, c included.
    expect(await profilesOf(ec2, [a, b, c])).toEqual({ [a]: 'WebProfile', [b]: 'WebProfile', [c]: 'WebProfile' });

    // Our topic got the genuine report and nothing else; the other account's topic got nothing at all.
    const delivered = (await drain(sqs, dev.queueUrl)).map((m) => reportSchema.parse(JSON.parse(m.Body ?? '')).reportId);
    expect(delivered).toEqual([(report.body.report as { reportId: string }).reportId]);
    expect(await drain(foreignSqs, foreignWatch)).toEqual([]);
    // The forged ones stay, visible for the alarm and for a person to look at.
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dev.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: '5', ApproximateNumberOfMessagesNotVisible: '0' });

    // The watch would have seen a publish: a probe from the other account arrives.
    await foreignSns.send(new PublishCommand({ TopicArn: foreignTopic, Message: 'probe' }));
    expect((await drain(foreignSqs, foreignWatch)).map((m) => m.Body)).toEqual(['probe']);
  });
});
