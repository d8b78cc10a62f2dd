import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createTargetAccess } from '../../lib/aws/credentials.js';
import { deadlineIn } from '../../lib/deadline.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../lib/engine.js';
import { silentLog } from '../../lib/log.js';
import { enqueueTargets, planTargets, sweepOneTarget } from '../../lib/org/sweep.js';
import { reportSchema } from '../../lib/report/schema.js';
import type { Runtime } from '../../lib/service.js';
import { drain, launch, profilesOf } from '../../support/world.js';
import { useWorld } from '../helpers/aws-world.js';
import { createMember, faultySource, HUB, memberClients, memberRoleArn } from './org-world.js';

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const REGIONS = ['eu-west-1', 'us-west-2'];

describe('organization sweep on moto: planner → FIFO queue → one worker run per account-region', () => {
  const world = useWorld();
  const runtime = (): Runtime => ({
    clients: world.clients,
    mapping: world.mapping,
    log: silentLog,
    config: { topicArn: world.notifications.topicArn, mappingFile: 'mapping.yaml', notifyLevel: 'all', engine: { ...DEFAULT_ENGINE_OPTIONS, settleWaitMs: 0 } },
  });
  const fifoQueue = async () =>
    (await world.clients.sqs.send(new CreateQueueCommand({ QueueName: 'profile-guard-test-sweep.fifo', Attributes: { FifoQueue: 'true' } })))
      .QueueUrl as string;

  it('fixes all 24 instances across 3 accounts × 2 regions with 3 AssumeRole, 12 reads and 24 writes, one report per target', async () => {
    const toFix = new Map<string, string[]>();
    for (const account of ACCOUNTS) {
      await createMember(account, world.mapping);
      for (const region of REGIONS) {
        const { ec2 } = await memberClients(account, region);
        // One at a time: moto attaches a launch profile to the first instance of a multi-instance launch only.
        for (let i = 0; i < 6; i++) await launch(ec2, { tags: { app: 'web-a' }, profile: 'WebProfile' });
        toFix.set(`${account}/${region}`, await launch(ec2, { tags: { app: 'web-a' }, count: 4 }));
      }
    }
    const queueUrl = await fifoQueue();
    // Organizations told the planner one account's name and OU; a hostile name is left out, the target is not.
    const details = new Map([
      ['111111111111', { accountName: 'payments', ou: 'ou-ab12-cdef3456' }],
      ['222222222222', { accountName: 'bad\u0000name', ou: 'ou-ab12-cdef3456' }],
    ]);
    expect(await enqueueTargets(world.clients.sqs, queueUrl, planTargets(ACCOUNTS, REGIONS), '2026-11-28T10:00:00Z', 0, details)).toBe(6);
    const messages = await drain(world.clients.sqs, queueUrl);
    expect(messages).toHaveLength(6);

    const source = faultySource();
    const targets = createTargetAccess({ hubAccount: HUB, sessionName: 'profile-guard-test-sweep-worker', source });
    const outcomes = [];
    for (const message of messages) outcomes.push(await sweepOneTarget(runtime(), targets, message.Body ?? '', async () => {}));

    for (const [key, ids] of toFix) {
      const [account, region] = key.split('/') as [string, string];
      expect(Object.values(await profilesOf((await memberClients(account, region)).ec2, ids))).toEqual([
        'WebProfile',
        'WebProfile',
        'WebProfile',
        'WebProfile',
      ]);
    }
    expect(source.calls).toHaveLength(3);
    let reads = 0;
    for (const o of outcomes)
      if (o.status === 'swept') reads += (o.outcome.reads?.describeInstancesCalls ?? 0) + (o.outcome.reads?.describeAssociationsCalls ?? 0);
    const calls = [...targets.stats.ec2Calls.values()].reduce((a, b) => a + b, 0);
    expect(reads).toBe(12);
    expect(calls - reads).toBe(24);
    const reports = (await drain(world.clients.sqs, world.notifications.queueUrl)).map((m) => reportSchema.parse(JSON.parse(m.Body ?? '')));
    expect(reports.map((r) => `${r.account}/${r.region}:${r.counts.changed}`).sort()).toEqual([...toFix.keys()].map((k) => `${k}:4`).sort());
    expect(reports.filter((r) => r.accountName === 'payments' && r.ou === 'ou-ab12-cdef3456').map((r) => r.account)).toEqual(['111111111111', '111111111111']);
    expect(reports.filter((r) => r.account === '222222222222').map((r) => r.accountName)).toEqual([undefined, undefined]);
  }, 90_000);

  it('a denied account is one failed report naming the account and role; the other accounts are still swept', async () => {
    await createMember('222222222222', world.mapping);
    const { ec2 } = await memberClients('222222222222', 'eu-west-1');
    const [id] = await launch(ec2, { tags: { app: 'web-a' } });
    const targets = createTargetAccess({ hubAccount: HUB, sessionName: 'worker', source: faultySource(new Set(['111111111111'])) });
    const message = (account: string) => JSON.stringify({ kind: 'profile-guard.sweep-target', account, region: 'eu-west-1' });

    const denied = await sweepOneTarget(runtime(), targets, message('111111111111'), async () => {});
    const fixed = await sweepOneTarget(runtime(), targets, message('222222222222'), async () => {});

    expect(denied.status === 'swept' && denied.outcome.report).toMatchObject({
      account: '111111111111',
      outcome: 'failed',
      incomplete: expect.stringContaining(memberRoleArn('111111111111')),
    });
    expect(denied.status === 'swept' && denied.outcome.retryableFailures).toBe(0);
    expect(fixed.status === 'swept' && fixed.outcome.report?.counts.changed).toBe(1);
    expect(await profilesOf(ec2, [id as string])).toEqual({ [id as string]: 'WebProfile' });
  });

  it('a slice that runs out of time hands its target on to the next message, and the next slice finishes it', async () => {
    await createMember('111111111111', world.mapping);
    const { ec2 } = await memberClients('111111111111', 'eu-west-1');
    const ids = await launch(ec2, { tags: { app: 'web-a' }, count: 3 });
    const targets = createTargetAccess({ hubAccount: HUB, sessionName: 'worker', source: faultySource() });
    const body = JSON.stringify({ kind: 'profile-guard.sweep-target', account: '111111111111', region: 'eu-west-1' });
    const handedOn: unknown[] = [];
    // The work deadline has already passed: even the member credentials are not fetched; the target is handed on.
    const late = { ...runtime(), deadlines: { work: deadlineIn(0), report: deadlineIn(30_000) } };

    const first = await sweepOneTarget(late, targets, body, async (message) => void handedOn.push(message));

    expect(first).toMatchObject({
      status: 'swept',
      handedOn: true,
      outcome: { report: { outcome: 'failed', incomplete: expect.stringMatching(/^OutOfTimeError/) } },
    });
    expect(handedOn).toEqual([{ kind: 'profile-guard.sweep-target', account: '111111111111', region: 'eu-west-1', continuation: 1 }]);
    const second = await sweepOneTarget(runtime(), targets, JSON.stringify(handedOn[0]), async () => {});
    expect(second).toMatchObject({ status: 'swept', handedOn: false });
    expect(Object.values(await profilesOf(ec2, ids))).toEqual(['WebProfile', 'WebProfile', 'WebProfile']);

    // Credentials in hand, the deadline passes before the listing: "ran out of time", handed on again.
    const again = await sweepOneTarget(late, targets, body, async () => {});
    expect(again).toMatchObject({ handedOn: true, outcome: { report: { incomplete: expect.stringContaining('ran out of time') } } });
  });

  // Regression: the worker spread the runtime's clients to swap EC2, which ran every lazy getter and built the hub's own EC2 client.
  it("sweeps a member with its own EC2 client and never builds the hub's", async () => {
    await createMember('111111111111', world.mapping);
    const { ec2 } = await memberClients('111111111111', 'eu-west-1');
    const ids = await launch(ec2, { tags: { app: 'web-a' }, count: 2 });
    let hubEc2Built = 0;
    const base = runtime();
    const clients = {
      get ec2() {
        hubEc2Built++;
        return world.clients.ec2;
      },
      sns: world.clients.sns,
      sqs: world.clients.sqs,
    };
    const targets = createTargetAccess({ hubAccount: HUB, sessionName: 'worker', source: faultySource() });
    const body = JSON.stringify({ kind: 'profile-guard.sweep-target', account: '111111111111', region: 'eu-west-1' });

    const swept = await sweepOneTarget({ ...base, clients }, targets, body, async () => {});

    expect(swept).toMatchObject({ status: 'swept', handedOn: false });
    expect(Object.values(await profilesOf(ec2, ids))).toEqual(['WebProfile', 'WebProfile']);
    expect(hubEc2Built).toBe(0);
  });

  it('rejects a hostile message without any call', async () => {
    const source = faultySource();
    const targets = createTargetAccess({ hubAccount: HUB, sessionName: 'worker', source });
    for (const body of ['not json', '{"kind":"profile-guard.sweep-target","account":"1","region":"eu-west-1"}', '{"kind":"x"}']) {
      expect(await sweepOneTarget(runtime(), targets, body, async () => {})).toMatchObject({ status: 'rejected' });
    }
    expect(source.calls).toHaveLength(0);
  });
});
