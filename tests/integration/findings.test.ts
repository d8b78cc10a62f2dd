import { CreateTagsCommand, ReplaceIamInstanceProfileAssociationCommand } from '@aws-sdk/client-ec2';
import { type AwsSecurityFinding, BatchImportFindingsCommand, GetFindingsCommand, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSecurityHubClient } from '../../lib/aws/securityhub.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../lib/engine.js';
import { readFacts } from '../../lib/facts.js';
import { silentLog } from '../../lib/log.js';
import { loadMappingFile } from '../../lib/mapping/load.js';
import { afterReport } from '../../lib/observe/after-report.js';
import { type Runtime, runForEvent, runSweep } from '../../lib/service.js';
import { sampleFor } from '../../support/samples.js';
import { createProfiles, launchOne, profilesOf } from '../../support/world.js';
import { useWorld } from '../helpers/aws-world.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const where = { account: ACCOUNT, region: REGION };
const TAG = 'profile-guard:ignore';
// Drift is reported, not fixed: the instance stays wrong, so Security Hub is where it is tracked.
const reportOnly = loadMappingFile('tests/fixtures/mappings/report-only.yaml');
const REQUIRED = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'GeneratorId',
  'AwsAccountId',
  'Types',
  'CreatedAt',
  'UpdatedAt',
  'Severity',
  'Title',
  'Description',
  'Resources',
] as const;

describe('Security Hub findings on moto (findings on)', () => {
  const world = useWorld();
  let hub: SecurityHubClient;
  /** Every BatchImportFindings request, in order, as sent over HTTP. */
  let imports: AwsSecurityFinding[][];

  beforeEach(async () => {
    await createProfiles(world.iam, reportOnly, []);
    hub = createSecurityHubClient();
    imports = [];
    hub.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === BatchImportFindingsCommand.name) imports.push([...((args.input as { Findings: AwsSecurityFinding[] }).Findings ?? [])]);
        return next(args);
      },
      { step: 'initialize', name: 'recordImports' },
    );
  });

  const runtime = (options: { securityHub: boolean; sweepPeriodSeconds?: number }): Runtime => ({
    clients: world.clients,
    mapping: reportOnly,
    log: silentLog,
    config: { mappingFile: 'x', topicArn: world.notifications.topicArn, notifyLevel: 'changes', engine: { ...DEFAULT_ENGINE_OPTIONS, settleWaitMs: 0 } },
    afterReport: afterReport({ hub: options.securityHub ? hub : undefined, sweepPeriodSeconds: options.sweepPeriodSeconds ?? 6 * 3600 }),
  });
  const allFindings = async () => (await hub.send(new GetFindingsCommand({}))).Findings ?? [];

  it('a drifted instance yields one FAILED finding with every required field; once fixed, the same id is PASSED and archived, later', async () => {
    const id = await launchOne(world.clients.ec2, { tags: { team: 'analytics', Name: 'analytics-1' }, profile: 'AdminProfile' });

    const drift = await runForEvent(runtime({ securityHub: true }), sampleFor('ec2-state-running', [id]), where);

    expect(drift.report?.counts.drift).toBe(1);
    expect(drift.observed).toEqual({ findingsImported: 1, findingsFailed: 0, exceptionsExpired: 0 });
    const [failed, ...others] = await allFindings();
    expect(others).toEqual([]);
    for (const field of REQUIRED) expect(failed?.[field], field).toBeTruthy();
    expect(failed).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: `profile-guard/${ACCOUNT}/${REGION}/${id}/instance-profile`,
      ProductArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`,
      GeneratorId: 'profile-guard/instance-profile',
      AwsAccountId: ACCOUNT,
      Types: [expect.stringMatching(/^Software and Configuration Checks\//)],
      Severity: { Label: 'MEDIUM' },
      Title: `${id} wears AdminProfile; its mapping rule requires AnalyticsProfile`,
      Resources: [{ Type: 'AwsEc2Instance', Id: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${id}`, Partition: 'aws', Region: REGION }],
      Compliance: { Status: 'FAILED' },
      RecordState: 'ACTIVE',
    });
    expect(Number.isNaN(Date.parse(failed?.CreatedAt ?? ''))).toBe(false);

    // Someone puts the right profile on; the next sweep finds the instance right.
    const [facts] = await readFacts(world.clients.ec2, [id]);
    await world.clients.ec2.send(
      new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: facts?.association?.associationId, IamInstanceProfile: { Name: 'AnalyticsProfile' } }),
    );
    expect(await profilesOf(world.clients.ec2, [id])).toEqual({ [id]: 'AnalyticsProfile' });
    const sweep = await runSweep(runtime({ securityHub: true }), where);

    expect(sweep.observed).toMatchObject({ findingsImported: 1, findingsFailed: 0 });
    const [passed, ...rest] = await allFindings();
    expect(rest).toEqual([]);
    expect(passed).toMatchObject({ Id: failed?.Id, Compliance: { Status: 'PASSED' }, RecordState: 'ARCHIVED', CreatedAt: failed?.CreatedAt });
    expect(Date.parse(passed?.UpdatedAt ?? '')).toBeGreaterThan(Date.parse(failed?.UpdatedAt ?? ''));
    // In order: the FAILED import, then the PASSED one; nothing else was sent.
    expect(imports.map((batch) => batch.map((f) => `${f.Id?.split('/')[3]}:${f.Compliance?.Status}:${f.RecordState}`))).toEqual([
      [`${id}:FAILED:ACTIVE`],
      [`${id}:PASSED:ARCHIVED`],
    ]);
  });

  it('keeps one finding per instance while it stays wrong, with the time it was first found', async () => {
    const id = await launchOne(world.clients.ec2, { tags: { team: 'analytics' }, profile: 'AdminProfile' });
    await runSweep(runtime({ securityHub: true }), where);
    const [first] = await allFindings();
    await runSweep(runtime({ securityHub: true }), where);

    const findings = await allFindings();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ Id: first?.Id, CreatedAt: first?.CreatedAt, Compliance: { Status: 'FAILED' }, RecordState: 'ACTIVE' });
    expect(Date.parse(findings[0]?.UpdatedAt ?? '')).toBeGreaterThan(Date.parse(first?.UpdatedAt ?? ''));
    expect(findings[0]?.Resources?.[0]?.Id).toContain(id);
  });

  it('reports an expired exception once, with a finding, and closes it when the tag is renewed', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const id = await launchOne(world.clients.ec2, { tags: { team: 'analytics', [TAG]: `until:${yesterday}` } });

    // The exception ended at today's midnight (UTC): news to a sweep whose period reaches back past it.
    const first = await runSweep(runtime({ securityHub: true, sweepPeriodSeconds: 2 * 86_400 }), where);

    expect(first.report?.results).toEqual([expect.objectContaining({ instanceId: id, action: 'associate', outcome: 'changed' })]);
    expect(first.observed).toMatchObject({ exceptionsExpired: 1, findingsFailed: 0 });
    const expiry = (await allFindings()).find((f) => f.GeneratorId === 'profile-guard/opt-out-expiry');
    expect(expiry).toMatchObject({
      Id: `profile-guard/${ACCOUNT}/${REGION}/${id}/opt-out-expiry`,
      Compliance: { Status: 'FAILED' },
      RecordState: 'ACTIVE',
      Severity: { Label: 'LOW' },
    });

    // A later sweep (its period no longer reaches back to the expiry) does not report it again.
    const before = imports.length;
    const later = await runSweep(runtime({ securityHub: true, sweepPeriodSeconds: 1 }), where);
    expect(later.observed?.exceptionsExpired).toBe(0);
    expect(imports.slice(before).flat()).toEqual([]);

    await world.clients.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: TAG, Value: 'until:2999-12-31' }] }));
    await runSweep(runtime({ securityHub: true, sweepPeriodSeconds: 1 }), where);
    expect((await allFindings()).find((f) => f.Id === expiry?.Id)).toMatchObject({ Compliance: { Status: 'PASSED' }, RecordState: 'ARCHIVED' });
  });

  it('off: no Security Hub call at all, and an expiry is still counted', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await launchOne(world.clients.ec2, { tags: { team: 'analytics' }, profile: 'AdminProfile' });
    await launchOne(world.clients.ec2, { tags: { team: 'analytics', [TAG]: `until:${yesterday}` } });
    const sent: string[] = [];
    hub.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'recordAll' },
    );

    const outcome = await runSweep(runtime({ securityHub: false, sweepPeriodSeconds: 2 * 86_400 }), where);

    expect(outcome.report?.counts).toMatchObject({ drift: 1, changed: 1 });
    expect(outcome.observed).toEqual({ findingsImported: 0, findingsFailed: 0, exceptionsExpired: 1 });
    expect(sent).toEqual([]);
    expect(await allFindings()).toEqual([]);
  });
});
