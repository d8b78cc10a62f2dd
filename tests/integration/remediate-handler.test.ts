import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/remediate.js';
import { handler as sweep } from '../../functions/sweep.js';
import { reportSchema } from '../../lib/report/schema.js';
import { sampleFor } from '../../support/samples.js';
import { drain, launchCases, launchOne, profilesOf } from '../../support/world.js';
import { useWorld } from '../helpers/aws-world.js';
import { DECISION_CASES } from '../helpers/fleet.js';

const context = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:profile-guard-test-remediate' } as Context;

describe('remediate handler on moto, through the real SDK over HTTP', () => {
  const world = useWorld();

  beforeAll(() => {
    // The handler reads its configuration from the environment, as in Lambda.
    process.env.TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:profile-guard-reports';
    process.env.MAPPING_FILE = 'mapping.yaml';
    process.env.SETTLE_WAIT_SECONDS = '0';
  });

  const fleet = () => launchCases(world.clients.ec2, DECISION_CASES);

  it('fixes every instance a RunInstances event names and publishes one report', async () => {
    const ids = await fleet();
    const event = sampleFor('cloudtrail-run-instances', Object.values(ids));

    const result = await handler(event, context);

    expect(await profilesOf(world.clients.ec2, Object.values(ids))).toEqual({
      [ids.missing]: 'WebProfile',
      [ids.wrong]: 'WebProfile',
      [ids.right]: 'WebProfile',
      [ids.optedOut]: null,
      [ids.quarantined]: null,
      [ids.stopped]: 'WebProfile',
      [ids.unmatched]: 'BaselineSsmProfile',
    });
    expect(result.delivery).toBe('published');
    const messages = await drain(world.clients.sqs, world.notifications.queueUrl);
    expect(messages).toHaveLength(1);
    const report = reportSchema.parse(JSON.parse(messages[0]?.Body ?? ''));
    expect(report).toMatchObject({
      outcome: 'changed',
      account: '123456789012',
      region: 'us-east-1',
      dryRun: false,
      trigger: { type: 'event', eventName: 'RunInstances', actor: expect.stringContaining('alice') },
    });
    expect(report.counts).toMatchObject({ changed: 5, unchanged: 1, skipped: 1, failed: 0 });
    const byId = Object.fromEntries(report.results.map((r) => [r.instanceId, r]));
    expect(byId[ids.stopped]).toMatchObject({
      action: 'detach-attach',
      from: 'AdminProfile',
      to: 'WebProfile',
      rule: 'web',
      outcome: 'changed',
      name: 'stopped',
    });
    expect(byId[ids.unmatched]).toMatchObject({ action: 'associate', rule: 'default', name: 'データベース' });
    expect(messages[0]?.MessageAttributes?.outcome?.StringValue).toBe('changed');
  });

  it('changes nothing and publishes nothing when the same event comes twice', async () => {
    const ids = await fleet();
    const event = sampleFor('cloudtrail-run-instances', Object.values(ids));
    await handler(event, context);
    await drain(world.clients.sqs, world.notifications.queueUrl);
    const before = await profilesOf(world.clients.ec2, Object.values(ids));

    const second = await handler(event, context);

    expect(second.results.map((r) => r.outcome).sort()).toEqual(['skipped', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(second.delivery).toBe('not-needed');
    expect(await profilesOf(world.clients.ec2, Object.values(ids))).toEqual(before);
    expect(await drain(world.clients.sqs, world.notifications.queueUrl)).toEqual([]);
  });

  it('fixes the instance of a state-change event', async () => {
    const id = await launchOne(world.clients.ec2, { tags: { app: 'web-x' } });
    await handler(sampleFor('ec2-state-running', [id]), context);
    expect(await profilesOf(world.clients.ec2, [id])).toEqual({ [id]: 'WebProfile' });
  });

  it('strips the profile when a quarantine tag is added (CreateTags event)', async () => {
    const id = await launchOne(world.clients.ec2, { tags: { app: 'web-x', 'security:quarantine': 'true' }, profile: 'WebProfile' });
    const result = await handler(sampleFor('cloudtrail-create-tags', [id]), context);
    expect(result.results).toEqual([expect.objectContaining({ instanceId: id, action: 'disassociate', outcome: 'changed' })]);
    expect(await profilesOf(world.clients.ec2, [id])).toEqual({ [id]: null });
  });

  it("puts the mapped profile back after someone else's association (drift event)", async () => {
    const id = await launchOne(world.clients.ec2, { tags: { app: 'web-x' }, profile: 'AdminProfile' });
    await handler(sampleFor('cloudtrail-associate-by-iam-user', [id]), context);
    expect(await profilesOf(world.clients.ec2, [id])).toEqual({ [id]: 'WebProfile' });
  });

  it('rejects a malformed event with a reason, touches nothing and does not throw', async () => {
    const id = await launchOne(world.clients.ec2, { tags: { app: 'web-x' } });
    const result = await handler({ 'detail-type': 'EC2 Instance State-change Notification', detail: { 'instance-id': id } }, context);
    expect(result).toMatchObject({ status: 'rejected', reason: expect.stringContaining('not an EventBridge event') });
    expect(await profilesOf(world.clients.ec2, [id])).toEqual({ [id]: null });
    // A rejected event is reported as a failure so a misrouted rule gets noticed.
    const [message] = await drain(world.clients.sqs, world.notifications.queueUrl);
    expect(reportSchema.parse(JSON.parse(message?.Body ?? ''))).toMatchObject({ outcome: 'failed', rejected: expect.stringContaining('id:') });
  });

  it('the scheduled sweep fixes what no event mentioned, with one report', async () => {
    const ids = await fleet();

    const result = await sweep({ 'detail-type': 'Scheduled Event', source: 'aws.events' }, context);

    expect(result).toMatchObject({ status: 'accepted', delivery: 'published', counts: { changed: 5, unchanged: 1, skipped: 1 } });
    expect(await profilesOf(world.clients.ec2, [ids.stopped, ids.unmatched])).toEqual({ [ids.stopped]: 'WebProfile', [ids.unmatched]: 'BaselineSsmProfile' });
    const messages = await drain(world.clients.sqs, world.notifications.queueUrl);
    expect(messages.map((m) => reportSchema.parse(JSON.parse(m.Body ?? '')).trigger)).toEqual([{ type: 'sweep' }]);
  });
});
