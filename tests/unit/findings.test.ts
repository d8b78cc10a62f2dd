import { type AwsSecurityFinding, BatchImportFindingsCommand, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { OPERATIONS_BY_PRINCIPAL } from '../../lib/aws/index.js';
import { actionsOf } from '../../lib/aws/operations.js';
import { type FindingContent, findingId, productArn, toAsff } from '../../lib/findings/asff.js';
import { contentsOfReport, type OpenFinding, planImports } from '../../lib/findings/plan.js';
import { publishFindings } from '../../lib/findings/publish.js';
import type { Log } from '../../lib/log.js';
import { loadMappingFile } from '../../lib/mapping/load.js';
import { buildReport } from '../../lib/report/build.js';
import type { InstanceResult } from '../../lib/result.js';
import { remediateStatements, skeletonProblems } from '../../policies/generate.js';
import { GOLDEN_INPUT, MIXED_RESULTS } from '../fixtures/results.js';

const scope = { account: '123456789012', region: 'eu-west-1' };
const NOW = new Date('2026-11-28T10:00:00.000Z');
const hub = mockClient(SecurityHubClient);

function recordingLog() {
  const lines: { level: string; message: string; fields: object }[] = [];
  const at =
    (level: string) =>
    (message: string, ...extra: object[]) =>
      void lines.push({ level, message, fields: Object.assign({}, ...extra) });
  const log: Log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

const drift: InstanceResult = {
  instanceId: 'i-0a1b2c3d4e5f6000d',
  name: 'analytics-1',
  state: 'running',
  action: 'report-drift',
  from: 'AdminProfile',
  to: 'AnalyticsProfile',
  rule: 'analytics',
  outcome: 'drift',
  reason: 'wears AdminProfile, rule analytics wants AnalyticsProfile; onWrongProfile is report',
};
const content = (instanceId: string, status: FindingContent['status'] = 'FAILED'): FindingContent => ({
  control: 'instance-profile',
  instanceId,
  status,
  severity: 'MEDIUM',
  title: 't',
  description: 'd',
});
const idOf = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

describe('ASFF: every field Security Hub requires', () => {
  it('builds a FAILED, ACTIVE finding with a stable id per instance and control', () => {
    const [wrong] = contentsOfReport(buildReport({ ...GOLDEN_INPUT, results: [drift] }));
    const finding = toAsff(scope, wrong as FindingContent, { createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() });
    expect(finding).toEqual({
      SchemaVersion: '2018-10-08',
      Id: 'profile-guard/123456789012/eu-west-1/i-0a1b2c3d4e5f6000d/instance-profile',
      ProductArn: 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default',
      GeneratorId: 'profile-guard/instance-profile',
      AwsAccountId: '123456789012',
      Types: ['Software and Configuration Checks/AWS Security Best Practices/EC2 instance profile'],
      CreatedAt: '2026-11-28T10:00:00.000Z',
      UpdatedAt: '2026-11-28T10:00:00.000Z',
      FirstObservedAt: '2026-11-28T10:00:00.000Z',
      LastObservedAt: '2026-11-28T10:00:00.000Z',
      Severity: { Label: 'MEDIUM' },
      FindingProviderFields: { Severity: { Label: 'MEDIUM' }, Types: ['Software and Configuration Checks/AWS Security Best Practices/EC2 instance profile'] },
      Title: 'i-0a1b2c3d4e5f6000d wears AdminProfile; its mapping rule requires AnalyticsProfile',
      Description: `${drift.reason}. profile-guard reports this instead of changing it (onWrongProfile: report).`,
      ProductName: 'profile-guard',
      Resources: [{ Type: 'AwsEc2Instance', Id: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0a1b2c3d4e5f6000d', Partition: 'aws', Region: 'eu-west-1' }],
      Compliance: { Status: 'FAILED' },
      RecordState: 'ACTIVE',
      Remediation: {
        Recommendation: {
          Text: "If AnalyticsProfile is right, run: npx profile-guard apply --instance i-0a1b2c3d4e5f6000d. Otherwise change the instance's tags or the mapping.",
        },
      },
      ProductFields: {
        'profile-guard/rule': 'analytics',
        'profile-guard/action': 'report-drift',
        'profile-guard/outcome': 'drift',
        'profile-guard/reportId': GOLDEN_INPUT.reportId,
        'profile-guard/name': 'analytics-1',
      },
    });
  });

  it('uses the partition of the region in every ARN', () => {
    expect(productArn({ account: '123456789012', region: 'cn-north-1' })).toBe('arn:aws-cn:securityhub:cn-north-1:123456789012:product/123456789012/default');
    expect(
      toAsff({ account: '123456789012', region: 'us-gov-west-1' }, content('i-0123456789abcdef0'), { createdAt: 'x', updatedAt: 'y' }).Resources?.[0],
    ).toMatchObject({ Partition: 'aws-us-gov', Id: 'arn:aws-us-gov:ec2:us-gov-west-1:123456789012:instance/i-0123456789abcdef0' });
  });

  it('keeps Title and Description within Security Hub limits', () => {
    const long = toAsff(
      scope,
      { ...content('i-0123456789abcdef0'), title: 'x'.repeat(300), description: 'y'.repeat(2000) },
      { createdAt: 'a', updatedAt: 'b' },
    );
    expect(long.Title).toHaveLength(256);
    expect(long.Description).toHaveLength(1024);
  });
});

describe('which results become findings', () => {
  it('drift, a failure on a known instance and a dry-run plan are FAILED; right instances PASSED; gone or exempt NOT_AVAILABLE', () => {
    const results: InstanceResult[] = [
      drift,
      ...MIXED_RESULTS,
      { ...MIXED_RESULTS[0], instanceId: 'i-0000000000000000e', outcome: 'planned' } as InstanceResult,
      { ...MIXED_RESULTS[0], instanceId: 'i-0000000000000000f', outcome: 'deferred' } as InstanceResult,
      {
        instanceId: 'i-00000000000000010',
        action: 'skip',
        outcome: 'failed',
        reason: 'could not read the instance',
        error: { name: 'ThrottledError', message: 'x', retryable: true },
      },
      {
        ...MIXED_RESULTS[0],
        instanceId: 'i-00000000000000011',
        action: 'disassociate',
        from: 'WebProfile',
        to: undefined,
        outcome: 'failed',
        error: { name: 'PermissionDeniedError', message: 'no', retryable: false },
      } as InstanceResult,
    ];
    const contents = contentsOfReport(buildReport({ ...GOLDEN_INPUT, results }));
    expect(contents.map((c) => [c.instanceId, c.status, c.severity])).toEqual([
      ['i-0a1b2c3d4e5f6000d', 'FAILED', 'MEDIUM'],
      ['i-0a1b2c3d4e5f60001', 'PASSED', 'MEDIUM'],
      ['i-0a1b2c3d4e5f60002', 'PASSED', 'MEDIUM'],
      ['i-0a1b2c3d4e5f60003', 'FAILED', 'MEDIUM'],
      ['i-0a1b2c3d4e5f60004', 'PASSED', 'MEDIUM'],
      ['i-0a1b2c3d4e5f60005', 'NOT_AVAILABLE', 'MEDIUM'],
      ['i-0000000000000000e', 'FAILED', 'MEDIUM'],
      // deferred: the retry or the sweep settles it; an unread instance: nothing is known about it
      // a profile that should have been removed and is still there: HIGH
      ['i-00000000000000011', 'FAILED', 'HIGH'],
    ]);
  });
});

describe('planning the imports', () => {
  const open = (instanceId: string, createdAt: string, updatedAt: string): [string, OpenFinding] => {
    const id = findingId(scope, instanceId, 'instance-profile');
    return [id, { id, createdAt, updatedAt, instanceId, control: 'instance-profile' }];
  };

  it('imports every FAILED finding but closes only what is open, keeping when it was first found', () => {
    const openFindings = new Map([open('i-0000000000000000a', '2026-11-01T00:00:00.000Z', '2026-11-20T00:00:00.000Z')]);
    const findings = planImports(
      scope,
      [content('i-0000000000000000a', 'PASSED'), content('i-0000000000000000b', 'PASSED'), content('i-0000000000000000c')],
      openFindings,
      NOW,
    );
    expect(findings.map((f) => [f.Id?.split('/')[3], f.Compliance?.Status, f.RecordState, f.CreatedAt, f.UpdatedAt])).toEqual([
      ['i-0000000000000000a', 'PASSED', 'ARCHIVED', '2026-11-01T00:00:00.000Z', NOW.toISOString()],
      ['i-0000000000000000c', 'FAILED', 'ACTIVE', NOW.toISOString(), NOW.toISOString()],
    ]);
  });

  it('always moves UpdatedAt past the stored one, or Security Hub would ignore the update', () => {
    const stored = new Date(NOW.getTime() + 5).toISOString(); // written a moment ago by a clock slightly ahead
    const [closed] = planImports(scope, [content('i-0000000000000000a', 'PASSED')], new Map([open('i-0000000000000000a', stored, stored)]), NOW);
    expect(Date.parse(closed?.UpdatedAt as string)).toBeGreaterThan(Date.parse(stored));
  });
});

describe('publishing findings to Security Hub', () => {
  beforeEach(() => {
    hub.reset();
    hub.on(GetFindingsCommand).resolves({ Findings: [] });
    hub
      .on(BatchImportFindingsCommand)
      .callsFake((input: { Findings: AwsSecurityFinding[] }) => ({ SuccessCount: input.Findings.length, FailedCount: 0, FailedFindings: [] }));
  });

  it('imports in batches of at most 100, in order', async () => {
    const contents = Array.from({ length: 250 }, (_, i) => content(idOf(i)));
    const { log } = recordingLog();

    const outcome = await publishFindings({ hub: new SecurityHubClient({}), log }, scope, { contents }, NOW);

    const batches = hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings ?? []);
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.flat().map((f) => f.Resources?.[0]?.Id?.split('/')[1])).toEqual(contents.map((c) => c.instanceId));
    expect(outcome).toEqual({ imported: 250, failed: 0 });
  });

  it('looks open findings up by id, 20 to a call, when there are few', async () => {
    const contents = Array.from({ length: 45 }, (_, i) => content(idOf(i), 'PASSED'));
    await publishFindings({ hub: new SecurityHubClient({}), log: recordingLog().log }, scope, { contents }, NOW);
    const lookups = hub.commandCalls(GetFindingsCommand).map((c) => c.args[0].input.Filters);
    expect(lookups.map((f) => f?.Id?.length)).toEqual([20, 20, 5]);
    expect(lookups[0]).toMatchObject({
      ProductArn: [{ Value: productArn(scope), Comparison: 'EQUALS' }],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
    });
    // Nothing was open, so nothing is closed: no archived finding for an instance that never had one.
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
  });

  it('lists every open finding of ours once, instead, for a sweep-sized run, and keeps only ours', async () => {
    const ours = toAsff(scope, content(idOf(7)), { createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-02T00:00:00.000Z' });
    const foreign = {
      ...ours,
      Id: 'arn:aws:securityhub:eu-west-1::product/aws/inspector/x',
      ProductArn: 'arn:aws:securityhub:eu-west-1::product/aws/inspector',
    };
    const archived = { ...toAsff(scope, content(idOf(8), 'PASSED'), { createdAt: 'a', updatedAt: 'b' }) };
    hub.on(GetFindingsCommand).resolves({ Findings: [ours, foreign, archived] });
    const contents = Array.from({ length: 150 }, (_, i) => content(idOf(i), 'PASSED'));

    const outcome = await publishFindings({ hub: new SecurityHubClient({}), log: recordingLog().log }, scope, { contents }, NOW);

    expect(hub.commandCalls(GetFindingsCommand)).toHaveLength(1);
    expect(hub.commandCalls(GetFindingsCommand)[0]?.args[0].input.Filters?.GeneratorId).toEqual([
      { Value: 'profile-guard/instance-profile', Comparison: 'EQUALS' },
      { Value: 'profile-guard/opt-out-expiry', Comparison: 'EQUALS' },
    ]);
    const imported = hub.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings ?? []);
    expect(imported.map((f) => [f.Id, f.Compliance?.Status, f.RecordState, f.CreatedAt])).toEqual([
      [ours.Id, 'PASSED', 'ARCHIVED', '2026-11-01T00:00:00.000Z'],
    ]);
    expect(outcome).toEqual({ imported: 1, failed: 0 });
  });

  it('closes open findings of instances a complete sweep no longer sees', async () => {
    const gone = toAsff(scope, content(idOf(9)), { createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-02T00:00:00.000Z' });
    hub.on(GetFindingsCommand).resolves({ Findings: [gone] });
    await publishFindings(
      { hub: new SecurityHubClient({}), log: recordingLog().log },
      scope,
      {
        contents: [],
        closeAbsent: [{ control: 'instance-profile', present: new Set([idOf(1)]), close: (id) => ({ ...content(id, 'NOT_AVAILABLE'), title: 'gone' }) }],
      },
      NOW,
    );
    const imported = hub.commandCalls(BatchImportFindingsCommand).flatMap((c) => c.args[0].input.Findings ?? []);
    expect(imported.map((f) => [f.Id, f.Compliance?.Status, f.RecordState, f.Title])).toEqual([[gone.Id, 'NOT_AVAILABLE', 'ARCHIVED', 'gone']]);
  });

  it('logs and counts what Security Hub refuses or cannot take, and goes on with the next batch', async () => {
    let call = 0;
    hub.on(BatchImportFindingsCommand).callsFake((input: { Findings: AwsSecurityFinding[] }) => {
      call++;
      if (call === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
      return {
        SuccessCount: input.Findings.length - 1,
        FailedCount: 1,
        FailedFindings: [{ Id: input.Findings[0]?.Id, ErrorCode: 'InvalidInput', ErrorMessage: 'Finding Id is too long' }],
      };
    });
    const { log, lines } = recordingLog();

    const outcome = await publishFindings(
      { hub: new SecurityHubClient({}), log },
      scope,
      { contents: Array.from({ length: 130 }, (_, i) => content(idOf(i))) },
      NOW,
    );

    expect(outcome).toEqual({ imported: 29, failed: 101 });
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['error', 'could not import a batch of Security Hub findings'],
      ['warn', 'Security Hub refused a finding'],
    ]);
    expect(lines[0]?.fields).toMatchObject({ findings: 100, error: { name: 'ThrottledError', retryable: true } });
    expect(lines[1]?.fields).toEqual({
      id: findingId(scope, idOf(100), 'instance-profile'),
      errorCode: 'InvalidInput',
      errorMessage: 'Finding Id is too long',
    });
  });

  it('still imports FAILED findings when the lookup of open findings fails, and counts the failed lookup', async () => {
    hub.on(GetFindingsCommand).rejects(Object.assign(new Error('not subscribed'), { name: 'InvalidAccessException' }));
    const { log, lines } = recordingLog();
    const outcome = await publishFindings({ hub: new SecurityHubClient({}), log }, scope, { contents: [content(idOf(1)), content(idOf(2), 'PASSED')] }, NOW);
    expect(outcome).toEqual({ imported: 1, failed: 1 });
    expect(lines[0]?.message).toBe('could not read the open Security Hub findings; importing FAILED findings only');
  });
});

describe('Security Hub permissions follow the switch', () => {
  const mapping = loadMappingFile('mapping.yaml');
  const refs = { topicArn: 'topic', topicKeyArn: 'key', dlqArn: 'dlq' };
  const actions = (on: boolean) => remediateStatements(mapping, refs, { securityHub: on }).flatMap((s) => s.Action);

  it('off (the default): no Security Hub action at all', () => {
    expect(actions(false).filter((a) => a.startsWith('securityhub:'))).toEqual([]);
    expect(
      remediateStatements(mapping, refs)
        .flatMap((s) => s.Action)
        .sort(),
    ).toEqual(actionsOf(OPERATIONS_BY_PRINCIPAL.remediate).sort());
  });

  it("on: import into the account's own product, read the hub, nothing else", () => {
    const statements = remediateStatements(mapping, refs, { securityHub: true }).filter((s) => s.Action.some((a) => a.startsWith('securityhub:')));
    expect(statements).toEqual([
      {
        Sid: 'ImportFindingsIfEnabled',
        Effect: 'Allow',
        Action: ['securityhub:BatchImportFindings'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default' }],
      },
      {
        Sid: 'ReadOwnFindingsIfEnabled',
        Effect: 'Allow',
        Action: ['securityhub:GetFindings'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:hub/default' }],
      },
    ]);
  });

  it('the skeleton grants the Security Hub operations and nothing the code does not send', () => {
    expect(skeletonProblems('remediate')).toEqual([]);
  });
});
