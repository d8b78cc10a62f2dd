import { describe, expect, it } from 'vitest';
import { createTargetAccess } from '../../lib/aws/credentials.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../lib/engine.js';
import { silentLog } from '../../lib/log.js';
import { reportSchema } from '../../lib/report/schema.js';
import { type Runtime, runForEvent } from '../../lib/service.js';
import { sampleFor } from '../../support/samples.js';
import { drain, launchOne, profilesOf } from '../../support/world.js';
import { useWorld } from '../helpers/aws-world.js';
import { createMember, faultySource, HUB, memberClients, memberRoleArn } from './org-world.js';

const MEMBER = '111111111111';

/** A forwarded CloudTrail event as the hub bus delivers it: the member's account and region in the envelope and the detail. */
function memberEvent(instanceId: string, account = MEMBER, region = 'eu-west-1', detail: Record<string, unknown> = {}) {
  const event = sampleFor('cloudtrail-run-instances', [instanceId]);
  return { ...event, account, region, detail: { ...(event.detail as object), recipientAccountId: account, awsRegion: region, ...detail } };
}

describe('organization events on moto: one hub acts in the member account through the member role', () => {
  const world = useWorld();
  const runtime = (source = faultySource(), suspended: string[] = []): Runtime & { source: ReturnType<typeof faultySource> } => ({
    source,
    clients: world.clients,
    mapping: world.mapping,
    log: silentLog,
    config: { topicArn: world.notifications.topicArn, mappingFile: 'mapping.yaml', notifyLevel: 'all', engine: { ...DEFAULT_ENGINE_OPTIONS, settleWaitMs: 0 } },
    targets: createTargetAccess({ hubAccount: HUB, sessionName: 'profile-guard-test-remediate', source, suspended: new Set(suspended) }),
  });

  it('fixes the instance in 111111111111/eu-west-1 with 1 AssumeRole and 2 EC2 calls, and touches nothing in the hub', async () => {
    await createMember(MEMBER, world.mapping);
    const member = await memberClients(MEMBER, 'eu-west-1');
    const memberId = await launchOne(member.ec2, { tags: { app: 'web-a' } });
    const hubId = await launchOne(world.clients.ec2, { tags: { app: 'web-a' } });
    const run = runtime();

    const outcome = await runForEvent(run, memberEvent(memberId), { account: HUB, region: 'us-east-1' });

    expect(await profilesOf(member.ec2, [memberId])).toEqual({ [memberId]: 'WebProfile' });
    expect(await profilesOf(world.clients.ec2, [hubId])).toEqual({ [hubId]: null });
    expect(outcome.report).toMatchObject({ account: MEMBER, region: 'eu-west-1', outcome: 'changed', counts: { changed: 1 } });
    expect(run.source.calls).toEqual([{ roleArn: memberRoleArn(MEMBER), sessionName: 'profile-guard-test-remediate', region: 'eu-west-1' }]);
    expect(run.targets?.stats.assumeRoleCalls).toBe(1);
    // DescribeInstances + AssociateIamInstanceProfile (no profile yet, so no association read); nothing sent to the hub's EC2.
    expect([...(run.targets?.stats.ec2Calls ?? [])]).toEqual([[`${MEMBER}/eu-west-1`, 2]]);
  });

  it('an event for the hub account uses the function role: no AssumeRole', async () => {
    const hubId = await launchOne(world.clients.ec2, { tags: { app: 'web-a' } });
    const run = runtime();
    await runForEvent(run, memberEvent(hubId, HUB, 'us-east-1'), { account: HUB, region: 'us-east-1' });
    expect(await profilesOf(world.clients.ec2, [hubId])).toEqual({ [hubId]: 'WebProfile' });
    expect(run.source.calls).toHaveLength(0);
  });

  it('100 events for one account make one AssumeRole', async () => {
    await createMember(MEMBER, world.mapping);
    const member = await memberClients(MEMBER, 'eu-west-1');
    const id = await launchOne(member.ec2, { tags: { app: 'web-a' }, profile: 'WebProfile' });
    const run = runtime();
    for (let i = 0; i < 100; i += 20) {
      await Promise.all(Array.from({ length: 20 }, () => runForEvent(run, memberEvent(id), { account: HUB, region: 'us-east-1' })));
    }
    expect(run.source.calls).toHaveLength(1);
  });

  it('a denied AssumeRole gives one failed line naming the account and role, is not retried, and other accounts are still fixed', async () => {
    const other = '222222222222';
    await createMember(other, world.mapping);
    const otherEc2 = (await memberClients(other, 'eu-west-1')).ec2;
    const otherId = await launchOne(otherEc2, { tags: { app: 'web-a' } });
    const run = runtime(faultySource(new Set([MEMBER])));

    const denied = await runForEvent(run, memberEvent('i-0123456789abcdef0'), { account: HUB, region: 'us-east-1' });
    const fixed = await runForEvent(run, memberEvent(otherId, other), { account: HUB, region: 'us-east-1' });

    expect(denied.report?.outcome).toBe('failed');
    expect(denied.report?.incomplete).toMatch(
      new RegExp(`^MemberRoleDeniedError: account ${MEMBER}: AssumeRole into ${memberRoleArn(MEMBER)} was denied.*deploy the member-role StackSet`),
    );
    expect(denied.retryableFailures).toBe(0);
    expect(fixed.report?.outcome).toBe('changed');
    expect(await profilesOf(otherEc2, [otherId])).toEqual({ [otherId]: 'WebProfile' });
    const reports = (await drain(world.clients.sqs, world.notifications.queueUrl)).map((m) => reportSchema.parse(JSON.parse(m.Body ?? '')));
    expect(reports.map((r) => [r.account, r.outcome])).toEqual(
      expect.arrayContaining([
        [MEMBER, 'failed'],
        [other, 'changed'],
      ]),
    );
  });

  it('a suspended account gets no call at all', async () => {
    const run = runtime(faultySource(), [MEMBER]);
    const outcome = await runForEvent(run, memberEvent('i-0123456789abcdef0'), { account: HUB, region: 'us-east-1' });
    expect(outcome.report?.incomplete).toMatch(/^AccountSuspendedError: account 111111111111 is suspended.*no call made/);
    expect(outcome.retryableFailures).toBe(0);
    expect(run.source.calls).toHaveLength(0);
    expect(run.targets?.stats.ec2Calls.size).toBe(0);
  });

  it('an event whose detail names another account or region is rejected, and nothing is called', async () => {
    const run = runtime();
    const account = await runForEvent(run, memberEvent('i-0123456789abcdef0', MEMBER, 'eu-west-1', { recipientAccountId: '333333333333' }), {
      account: HUB,
      region: 'us-east-1',
    });
    const region = await runForEvent(run, memberEvent('i-0123456789abcdef0', MEMBER, 'eu-west-1', { awsRegion: 'us-west-2' }), {
      account: HUB,
      region: 'us-east-1',
    });
    expect(account).toMatchObject({ status: 'rejected', reason: expect.stringContaining('recipientAccountId says 333333333333') });
    expect(region).toMatchObject({ status: 'rejected', reason: expect.stringContaining('awsRegion says us-west-2') });
    expect(run.source.calls).toHaveLength(0);
  });

  it.each([
    [
      'an SCP deny',
      { name: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation. with an explicit deny in a service control policy' },
      [
        'ScpDeniedError',
        /^account 111111111111 in eu-west-1: a service control policy denies.*exempt arn:aws:iam::111111111111:role\/profile-guard-member/,
      ] as const,
    ],
    [
      'a region not enabled',
      { name: 'OptInRequired', message: 'You are not subscribed to this service.' },
      ['RegionNotEnabledError', /^account 111111111111 in eu-west-1: the region is not enabled/] as const,
    ],
  ])('%s on an EC2 call is named with the account and not retried', async (_case, failure, expected) => {
    await createMember(MEMBER, world.mapping);
    const run = runtime();
    // moto enforces no SCP and knows no opt-in region: the refusal is injected below the target's own middleware.
    const ec2 = await run.targets?.ec2For({ account: MEMBER, region: 'eu-west-1' });
    ec2?.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error(failure.message), { name: failure.name, $metadata: { httpStatusCode: 403 } });
      },
      { step: 'build', name: 'injectRefusal' },
    );
    const outcome = await runForEvent(run, memberEvent('i-0123456789abcdef0'), { account: HUB, region: 'us-east-1' });
    expect(outcome.report?.outcome).toBe('failed');
    expect(outcome.report?.results[0]?.error).toMatchObject({ name: expected[0], message: expect.stringMatching(expected[1]), retryable: false });
    expect(outcome.retryableFailures).toBe(0);
  });
});
