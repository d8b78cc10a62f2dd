import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_OPTIONS } from '../../lib/engine.js';
import { silentLog } from '../../lib/log.js';
import { parseMapping } from '../../lib/mapping/load.js';
import { buildReport } from '../../lib/report/build.js';
import { deliverReport, UNPUBLISHED_REPORT_KIND } from '../../lib/report/deliver.js';
import { reportSchema } from '../../lib/report/schema.js';
import { type Runtime, runForEvent } from '../../lib/service.js';
import { sampleFor } from '../../support/samples.js';
import { createQueue, drain, launchOne, subscribeQueue } from '../../support/world.js';
import { realisticResults } from '../fixtures/results.js';
import { useWorld } from '../helpers/aws-world.js';

// GhostProfile is never created, so instances mapped to it fail (after the IAM-propagation backoff).
const mapping = parseMapping(`
version: 1
rules:
  - { name: ghost, match: { tags: { app: "ghost-*" } }, profile: GhostProfile }
  - { name: web, match: { tags: { app: "web-*" } }, profile: WebProfile }
`);
const where = { account: '123456789012', region: 'us-east-1' };

describe('notifications on moto', () => {
  const world = useWorld();
  const runtime = (topicArn: string): Runtime => ({
    clients: world.clients,
    mapping,
    log: silentLog,
    sleep: async () => {},
    config: {
      topicArn,
      dlqUrl: world.notifications.dlqUrl,
      mappingFile: 'inline',
      notifyLevel: 'changes',
      engine: { ...DEFAULT_ENGINE_OPTIONS, settleWaitMs: 0 },
    },
  });

  it('routes by message attributes: email only on failures, Slack on everything that changed', async () => {
    const { sns, sqs, ec2 } = world.clients;
    const { topicArn, queueUrl } = world.notifications;
    const failuresOnly = await createQueue(sqs, 'email-failures');
    await subscribeQueue(sns, sqs, topicArn, failuresOnly, { outcome: ['failed'] });
    const changes = await createQueue(sqs, 'slack-changes');
    await subscribeQueue(sns, sqs, topicArn, changes, { outcome: ['changed', 'failed', 'drift'], dryRun: ['false'] });
    const web = await launchOne(ec2, { tags: { app: 'web-1' } });
    const ghost = await launchOne(ec2, { tags: { app: 'ghost-1' } });

    const fixed = await runForEvent(runtime(topicArn), sampleFor('ec2-state-running', [web]), where);
    const failed = await runForEvent(runtime(topicArn), sampleFor('ec2-state-running', [ghost]), where);

    expect(fixed.report?.outcome).toBe('changed');
    expect(failed.report?.results[0]).toMatchObject({ outcome: 'failed', error: { name: 'ProfileNotVisibleError', retryable: true } });
    const all = (await drain(sqs, queueUrl)).map((m) => reportSchema.parse(JSON.parse(m.Body ?? '')).outcome);
    expect(all.sort()).toEqual(['changed', 'failed']);
    const emailed = await drain(sqs, failuresOnly);
    expect(emailed.map((m) => reportSchema.parse(JSON.parse(m.Body ?? '')).outcome)).toEqual(['failed']);
    expect(emailed[0]?.MessageAttributes?.outcome?.StringValue).toBe('failed');
    expect((await drain(sqs, changes)).length).toBe(2);
  });

  it('puts the report in the DLQ when SNS refuses it, and the remediation stands', async () => {
    const { ec2, sqs } = world.clients;
    const web = await launchOne(ec2, { tags: { app: 'web-1' } });
    const missingTopic = 'arn:aws:sns:us-east-1:123456789012:no-such-topic';

    const outcome = await runForEvent(runtime(missingTopic), sampleFor('ec2-state-running', [web]), where);

    expect(outcome.delivery).toBe('sent-to-dlq');
    expect(outcome.report?.results[0]?.outcome).toBe('changed');
    const [letter] = await drain(sqs, world.notifications.dlqUrl);
    expect(letter?.MessageAttributes?.kind?.StringValue).toBe(UNPUBLISHED_REPORT_KIND);
    const body = JSON.parse(letter?.Body ?? '{}');
    expect(body).toMatchObject({
      kind: UNPUBLISHED_REPORT_KIND,
      topicArn: missingTopic,
      error: { name: 'UnexpectedAwsError', message: expect.stringContaining('sns:Publish: NotFoundException') },
    });
    expect(reportSchema.parse(body.report).results).toEqual([expect.objectContaining({ instanceId: web, action: 'associate', outcome: 'changed' })]);
  });

  // Built from realistic results rather than launched: moto needs over a minute for 1,000 instances,
  // and what is under test here is the way from the report to the subscribers.
  it('splits a 1,000-instance report into parts that a raw SQS subscriber reassembles; the part filter gives people part 1 only', async () => {
    const { sns, sqs } = world.clients;
    const { topicArn, queueUrl, dlqUrl } = world.notifications;
    const people = await createQueue(sqs, 'email-part-1');
    await subscribeQueue(sns, sqs, topicArn, people, { part: [{ numeric: ['=', 1] }] });
    const report = buildReport({ ...where, dryRun: false, trigger: { type: 'event', eventName: 'RunInstances' }, results: realisticResults(1000) });

    expect(await deliverReport({ sns, sqs }, silentLog, report, { topicArn, dlqUrl, notifyLevel: 'changes' })).toBe('published');

    const messages = await drain(sqs, queueUrl);
    const parts = messages.map((m) => reportSchema.parse(JSON.parse(m.Body ?? '')));
    expect(parts.length).toBeGreaterThan(1);
    expect(new Set(parts.map((p) => p.reportId))).toEqual(new Set([report.reportId]));
    expect(parts.map((p) => p.part.index).sort((a, b) => a - b)).toEqual(parts.map((_, i) => i + 1));
    expect(parts.every((p) => p.part.count === parts.length)).toBe(true);
    for (const part of parts) expect(part.counts).toEqual(report.counts);
    const reassembled = [...parts].sort((a, b) => a.part.index - b.part.index).flatMap((p) => p.results);
    expect(reassembled).toEqual(JSON.parse(JSON.stringify(report.results)));
    expect(messages.map((m) => m.MessageAttributes?.part?.StringValue).sort()).toEqual(parts.map((p) => String(p.part.index)).sort());

    const forPeople = await drain(sqs, people);
    expect(forPeople.map((m) => m.MessageAttributes?.part?.StringValue)).toEqual(['1']);
    expect(reportSchema.parse(JSON.parse(forPeople[0]?.Body ?? '')).part).toEqual({ index: 1, count: parts.length });
    expect(await drain(sqs, dlqUrl)).toEqual([]);
  });
});
