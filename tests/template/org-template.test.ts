import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { OPERATIONS_BY_PRINCIPAL } from '../../lib/aws/index.js';
import { actionsOf } from '../../lib/aws/operations.js';
import { CATALOGUE } from '../../lib/events/catalogue.js';
import { loadMappingFile } from '../../lib/mapping/load.js';
import { mappedProfiles } from '../../lib/mapping/schema.js';
import { organizationProblems } from '../../lib/org/template.js';
import { type PackagedTemplate, packageService } from '../../support/package.js';

// moto skips AWS::CloudFormation::StackSet and AWS::Events::EventBusPolicy and enforces no trust policy:
// what they say is checked here, on the packaged template, and cfn-lint checks that CloudFormation would take it.
const ORG = { orgId: 'o-abc123defg', targetOus: 'ou-ab12-cdef3456', regions: 'eu-west-1,us-east-1' };
type Resources = PackagedTemplate['template']['Resources'];
type Json = Record<string, any>;

const ORG_RESOURCE_TYPES = ['AWS::Events::EventBus', 'AWS::Events::EventBusPolicy', 'AWS::CloudFormation::StackSet'];
const remediateActions = (resources: Resources) =>
  ((resources.IamRoleLambdaExecution!.Properties as Json).Policies[0].PolicyDocument.Statement as Json[]).flatMap((s) => [s.Action].flat() as string[]);

describe('organization template (orgId, targetOus, regions set)', () => {
  let packaged: PackagedTemplate;
  let resources: Resources;
  const props = (id: string) => resources[id]?.Properties as Json;
  const body = (stackSet: string) => JSON.parse(props(stackSet).TemplateBody) as Json;

  beforeAll(() => {
    packaged = packageService('test', ORG);
    resources = packaged.template.Resources;
  });

  it('the organization bus accepts PutEvents only from principals of the organization', () => {
    expect(props('OrganizationEventBus')).toEqual({ Name: 'profile-guard-test-org' });
    expect(props('OrganizationEventBusPolicy').Statement).toEqual({
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': ['OrganizationEventBus', 'Arn'] },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG.orgId } },
    });
  });

  it("has the catalogue's four rules on the organization bus, each invoking remediate with a dead-letter queue and its own permission", () => {
    const rules = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Events::Rule' && (r.Properties as Json).EventBusName);
    expect(rules).toHaveLength(CATALOGUE.length);
    for (const [id, rule] of rules) {
      const p = rule.Properties as Json;
      expect(p.EventBusName).toEqual({ Ref: 'OrganizationEventBus' });
      expect(p.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': ['RemediateLambdaFunction', 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } },
        }),
      ]);
      expect(props(`${id}Permission`)).toMatchObject({ Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [id, 'Arn'] } });
    }
    const launch = rules.find(([id]) => id === 'OrganizationRunInstancesRule')?.[1].Properties as Json;
    expect(launch.EventPattern).toEqual(CATALOGUE[0]?.pattern('unused'));
  });

  it("the hub's drift rule excludes the hub function role and every account's member role", () => {
    const drift = props('OrganizationProfileChangedByOthersRule').EventPattern;
    expect(drift.detail.$or[0].userIdentity.sessionContext.sessionIssuer.arn).toEqual([
      {
        'anything-but': {
          wildcard: [
            { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/profile-guard-test-us-east-1' },
            { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/profile-guard-member' },
          ],
        },
      },
    ]);
  });

  it('both StackSets are service-managed with auto-deployment to the target OUs; the role StackSet is in one region, the spokes in every one', () => {
    for (const id of ['MemberRoleStackSet', 'SpokeStackSet']) {
      expect(props(id)).toMatchObject({ PermissionModel: 'SERVICE_MANAGED', AutoDeployment: { Enabled: true }, Capabilities: ['CAPABILITY_NAMED_IAM'] });
      expect(props(id).StackInstancesGroup).toHaveLength(1);
      expect(props(id).StackInstancesGroup[0].DeploymentTargets).toEqual({ OrganizationalUnitIds: [ORG.targetOus] });
    }
    expect(props('MemberRoleStackSet').StackInstancesGroup[0].Regions).toEqual(['eu-west-1']);
    expect(props('SpokeStackSet').StackInstancesGroup[0].Regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(props('MemberRoleStackSet').Parameters).toContainEqual({ ParameterKey: 'HubAccountId', ParameterValue: { Ref: 'AWS::AccountId' } });
  });

  it('the member role trusts only the hub function role, and only from inside the organization', () => {
    const role = body('MemberRoleStackSet').Resources.MemberRole.Properties;
    expect(role.RoleName).toBe('profile-guard-member');
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Sid: 'OnlyTheHubFunctions',
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${HubAccountId}:role/profile-guard-test-us-east-1' } },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG.orgId } },
      },
    ]);
  });

  it('the member policy is EC2 only and keeps the ec2:NewInstanceProfile and iam:PassedToService conditions', () => {
    const statements = body('MemberRoleStackSet').Resources.MemberRole.Properties.Policies[0].PolicyDocument.Statement as Json[];
    const sid = (name: string) => statements.find((s) => s.Sid === name) as Json;
    expect([...new Set(statements.flatMap((s) => s.Action as string[]))].sort()).toEqual(actionsOf(OPERATIONS_BY_PRINCIPAL.member).sort());
    const profiles = mappedProfiles(loadMappingFile('mapping.yaml'));
    expect(sid('AttachOnlyMappedProfiles').Condition.ArnLike['ec2:NewInstanceProfile']).toHaveLength(profiles.length * 2);
    for (const profile of profiles) expect(JSON.stringify(sid('AttachOnlyMappedProfiles').Condition)).toContain(`instance-profile/${profile}`);
    expect(sid('PassOnlyMappedRolesToEc2')).toMatchObject({
      Action: ['iam:PassRole'],
      Condition: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com'] } },
    });
  });

  it('every spoke rule forwards to the hub bus through the forwarder role, and its drift rule excludes the member role', () => {
    const spoke = body('SpokeStackSet').Resources as Record<string, Json>;
    expect(Object.keys(spoke)).toHaveLength(CATALOGUE.length);
    for (const rule of Object.values(spoke)) {
      expect(rule.Properties.EventBusName).toBeUndefined(); // the default bus, where EC2 and CloudTrail events arrive
      expect(rule.Properties.Targets).toEqual([
        { Id: 'hub', Arn: { Ref: 'HubBusArn' }, RoleArn: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/profile-guard-forwarder' } },
      ]);
    }
    expect(spoke.SpokeProfileChangedByOthersRule?.Properties.EventPattern.detail.$or[0].userIdentity.sessionContext.sessionIssuer.arn).toEqual([
      { 'anything-but': { wildcard: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/profile-guard-member' }] } },
    ]);
    const forwarder = body('MemberRoleStackSet').Resources.ForwarderRole.Properties;
    expect(forwarder.Policies[0].PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'HubBusArn' } }]);
  });

  it("the functions may list the target OUs' accounts (read-only), only in organization mode", () => {
    const list = (props('IamRoleLambdaExecution').Policies[0].PolicyDocument.Statement as Json[]).find((s) => s.Sid === 'ListTargetAccountsIfOrganization');
    expect(list?.Action).toEqual(['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent']);
  });

  it('the function role may assume the member role, and nothing else in other accounts', () => {
    const statements = (props('IamRoleLambdaExecution').Policies[0].PolicyDocument.Statement as Json[]).filter((s) =>
      [s.Action].flat().includes('sts:AssumeRole'),
    );
    expect(statements).toEqual([
      {
        Sid: 'AssumeMemberRoleIfOrganization',
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/profile-guard-member' }],
      },
    ]);
  });

  // Regression: reservedConcurrency '' (the default) became Number('') = 0, and a worker reserved at 0 never runs.
  it('reserves one planner and leaves the worker unreserved when reservedConcurrency is unset', () => {
    expect(props('SweepPlannerLambdaFunction').ReservedConcurrentExecutions).toBe(1);
    expect(props('SweepWorkerLambdaFunction')).not.toHaveProperty('ReservedConcurrentExecutions');
  });

  it('adds the sweep planner (scheduled) and the worker (one FIFO message at a time), and lets the functions enqueue only on the sweep queue', () => {
    expect(props('OrganizationSweepQueue')).toMatchObject({ FifoQueue: true, QueueName: 'profile-guard-test-org-sweep.fifo' });
    expect(props('OrganizationSweepQueue').VisibilityTimeout).toBeGreaterThan(props('SweepWorkerLambdaFunction').Timeout);
    expect(props('SweepWorkerEventSourceMappingSQSOrganizationSweepQueue')).toMatchObject({ BatchSize: 1 });
    expect(props('SweepPlannerLambdaFunction').Environment.Variables).toMatchObject({
      ORG_ID: ORG.orgId,
      ORG_TARGET_OUS: ORG.targetOus,
      ORG_REGIONS: ORG.regions,
      SWEEP_QUEUE_URL: { Ref: 'OrganizationSweepQueue' },
    });
    const enqueue = (props('IamRoleLambdaExecution').Policies[0].PolicyDocument.Statement as Json[]).find((s) => s.Sid === 'EnqueueSweepTargetsIfOrganization');
    expect(enqueue).toMatchObject({ Action: ['sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': ['OrganizationSweepQueue', 'Arn'] }] });
  });

  it('cfn-lint passes on the hub template and on both StackSet templates', () => {
    const files = [packaged.file];
    for (const id of ['MemberRoleStackSet', 'SpokeStackSet']) {
      const file = join(packaged.dir, `${id}.json`);
      writeFileSync(file, props(id).TemplateBody);
      files.push(file);
    }
    const lint = spawnSync('cfn-lint', files, { encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });
});

describe('single account (the default): no organization parameters', () => {
  const resources = (JSON.parse(readFileSync(inject('templateFile'), 'utf8')) as PackagedTemplate['template']).Resources;

  it('has no bus, bus policy, StackSet, organization rule, sweep queue or planner/worker, and no AssumeRole', () => {
    expect(Object.values(resources).filter((r) => ORG_RESOURCE_TYPES.includes(r.Type))).toEqual([]);
    expect(Object.keys(resources).filter((id) => /^(Organization|SweepPlanner|SweepWorker|MemberRole|Spoke)/.test(id))).toEqual([]);
    expect(Object.values(resources).filter((r) => (r.Properties as Json)?.EventBusName)).toEqual([]);
    expect(remediateActions(resources)).not.toContain('sts:AssumeRole');
  });
});

describe('organization parameters are validated', () => {
  it('names every bad value', () => {
    expect(organizationProblems({ orgId: 'abc', targetOus: ['ou-x'], regions: ['eu-west-1', 'EU'] })).toEqual([
      'orgId: "abc" is not an organization id such as o-abc123defg',
      'targetOus: "ou-x" is not an OU id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)',
      'regions: "EU" is not a region',
    ]);
    expect(organizationProblems({ orgId: 'o-abc123defg', targetOus: [], regions: [] })).toHaveLength(2);
  });
});
