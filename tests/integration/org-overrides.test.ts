import { describe, expect, it } from 'vitest';
import { createTargetAccess } from '../../lib/aws/credentials.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../lib/engine.js';
import { silentLog } from '../../lib/log.js';
import { parseMapping } from '../../lib/mapping/load.js';
import type { Mapping } from '../../lib/mapping/schema.js';
import { sweepOneTarget } from '../../lib/org/sweep.js';
import { type Runtime, runForEvent } from '../../lib/service.js';
import { sampleFor } from '../../support/samples.js';
import { createProfiles, launchOne, profilesOf } from '../../support/world.js';
import { useWorld } from '../helpers/aws-world.js';
import { faultySource, HUB, memberClients } from './org-world.js';

const PAYMENTS = '111111111111';
const OTHER = '222222222222';
const LAB_OU = 'ou-ab12-cdef3456';

// One override by account; everything else gets the top-level WebProfile.
const BY_ACCOUNT = `
version: 1
rules:
  - { name: web, match: { tags: { app: "web-*" } }, profile: WebProfile }
overrides:
  - accounts: ["${PAYMENTS}"]
    rules:
      - { name: web, match: { tags: { app: "web-*" } }, profile: PaymentsWebProfile }
`;
const byAccount: Mapping = parseMapping(BY_ACCOUNT);
// The same, and then one by OU.
const mapping: Mapping = parseMapping(`${BY_ACCOUNT}
  - ous: [${LAB_OU}]
    rules:
      - { name: web, match: { tags: { app: "web-*" } }, profile: LabWebProfile }
`);

function memberEvent(instanceId: string, account: string, region = 'eu-west-1') {
  const event = sampleFor('cloudtrail-run-instances', [instanceId]);
  return { ...event, account, region, detail: { ...(event.detail as object), recipientAccountId: account, awsRegion: region } };
}

describe('mapping overrides across an organization on moto', () => {
  const world = useWorld();
  const runtime = (withMapping = mapping): Runtime => ({
    clients: world.clients,
    mapping: withMapping,
    log: silentLog,
    config: { topicArn: world.notifications.topicArn, mappingFile: 'mapping.yaml', notifyLevel: 'all', engine: { ...DEFAULT_ENGINE_OPTIONS, settleWaitMs: 0 } },
    targets: createTargetAccess({ hubAccount: HUB, sessionName: 'profile-guard-test-remediate', source: faultySource() }),
  });
  /** A member account holding every profile the mapping can attach (the one member role covers them all). */
  const member = async (account: string) => {
    const clients = await memberClients(account, 'eu-west-1');
    await createProfiles(clients.iam, mapping);
    return clients;
  };

  it('an event for the overridden account gets the override`s profile; another account gets the top-level one', async () => {
    const payments = await member(PAYMENTS);
    const other = await member(OTHER);
    const paymentsId = await launchOne(payments.ec2, { tags: { app: 'web-a' } });
    const otherId = await launchOne(other.ec2, { tags: { app: 'web-a' } });
    const run = runtime(byAccount);

    const overridden = await runForEvent(run, memberEvent(paymentsId, PAYMENTS), { account: HUB, region: 'us-east-1' });
    await runForEvent(run, memberEvent(otherId, OTHER), { account: HUB, region: 'us-east-1' });

    expect(await profilesOf(payments.ec2, [paymentsId])).toEqual({ [paymentsId]: 'PaymentsWebProfile' });
    expect(await profilesOf(other.ec2, [otherId])).toEqual({ [otherId]: 'WebProfile' });
    expect(overridden.report?.results.map((r) => [r.rule, r.to, r.outcome])).toEqual([['overrides[0]/web', 'PaymentsWebProfile', 'changed']]);
  });

  it('with an OU override first, an event (which does not say the OU) leaves another account alone and says why', async () => {
    const other = await member(OTHER);
    const otherId = await launchOne(other.ec2, { tags: { app: 'web-a' } });
    const plain = await runForEvent(runtime(), memberEvent(otherId, OTHER), { account: HUB, region: 'us-east-1' });

    expect(await profilesOf(other.ec2, [otherId])).toEqual({ [otherId]: null });
    // Guessing "top level" here would undo what the sweep does under the OU override, and back again at every sweep.
    expect(plain.report?.results.map((r) => [r.action, r.outcome, r.reason])).toEqual([
      ['skip', 'skipped', `account ${OTHER}: its OU is not known here and overrides[1] is chosen by OU; the organization sweep, which knows it, manages it`],
    ]);
  });

  it('the sweep, which knows the OU, applies the OU override there and the top level elsewhere', async () => {
    const lab = await member(OTHER);
    const plain = await member('333333333333');
    const labId = await launchOne(lab.ec2, { tags: { app: 'web-a' } });
    const plainId = await launchOne(plain.ec2, { tags: { app: 'web-a' } });
    const targets = createTargetAccess({ hubAccount: HUB, sessionName: 'worker', source: faultySource() });
    const message = (account: string, ou: string) => JSON.stringify({ kind: 'profile-guard.sweep-target', account, region: 'eu-west-1', ou });

    await sweepOneTarget(runtime(), targets, message(OTHER, LAB_OU), async () => {});
    await sweepOneTarget(runtime(), targets, message('333333333333', 'ou-ab12-99998888'), async () => {});

    expect(await profilesOf(lab.ec2, [labId])).toEqual({ [labId]: 'LabWebProfile' });
    expect(await profilesOf(plain.ec2, [plainId])).toEqual({ [plainId]: 'WebProfile' });
  });
});
