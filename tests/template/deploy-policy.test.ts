import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { loadMappingFile } from '../../lib/mapping/load.js';
import { CLOUDFORMATION_PERMISSIONS, deployActions, FRAMEWORK_CALLS, grantedFor } from '../../policies/cloudformation-permissions.js';
import { deploymentBucketPattern, operatorStatements, resolvePseudoParameters, STACK_TAG, type Statement } from '../../policies/generate.js';
import type { PackagedTemplate } from '../../support/package.js';

/**
 * The deployer's half of the operator policy, held to the packaged template: every resource type
 * has its handlers' permissions in policies/cloudformation-permissions.ts, the policy grants all
 * of them and nothing else, and the actions that could reach beyond the stack carry conditions.
 * (tests/integration/deploy.test.ts runs the deploy under this policy on moto, which checks actions only.)
 */
const file = inject('templateFile');
const STAGE = 'test';
const templates = ['cloudformation-template-update-stack.json', 'cloudformation-template-create-stack.json'].map(
  (name) => JSON.parse(readFileSync(join(dirname(file), name), 'utf8')) as PackagedTemplate['template'],
);
const state = JSON.parse(readFileSync(join(dirname(file), 'serverless-state.json'), 'utf8')) as {
  service: { provider: { stackTags: Record<string, string> } };
};
const resources = Object.assign({}, ...templates.map((t) => t.Resources)) as PackagedTemplate['template']['Resources'];
const types = [...new Set(Object.values(resources).map((r) => r.Type))].sort();

const statements = operatorStatements(loadMappingFile('mapping.yaml'), STAGE);
const deploy = statements.filter((s) => s.Sid.startsWith('Deploy'));
const granting = (action: string) => statements.filter((s) => s.Action.includes(action));
const resolved = (s: Statement) => resolvePseudoParameters(s, { account: '123456789012', region: 'eu-west-1' });

describe('the CloudFormation permissions table', () => {
  it('has an entry for every resource type in the packaged template', () => {
    expect(types.filter((type) => !(type in CLOUDFORMATION_PERMISSIONS))).toEqual([]);
  });

  it('leaves out only actions its schema lists, each for a property the template does not set', () => {
    for (const [type, entry] of Object.entries(CLOUDFORMATION_PERMISSIONS)) {
      const schema = new Set(Object.values(entry.handlers).flat());
      const unused = (entry.unused ?? []).flatMap((u) => u.actions);
      expect(
        unused.filter((action) => !schema.has(action)),
        `${type}: unused actions not in its schema`,
      ).toEqual([]);
      for (const group of [...(entry.unused ?? []), ...(entry.extra ?? [])]) expect(group.because.length).toBeGreaterThan(10);
      expect(grantedFor(type).filter((action) => unused.includes(action) && !(entry.extra ?? []).some((e) => e.actions.includes(action)))).toEqual([]);
    }
  });

  it('names the source of every entry', () => {
    for (const entry of Object.values(CLOUDFORMATION_PERMISSIONS)) expect(entry.schema).toMatch(/^[\w-]+\/[\w-]+ \S+\.json@[0-9a-f]{8}$/);
  });
});

describe('the operator policy for deploying', () => {
  it('grants every action the template`s resource handlers and the framework need', () => {
    const missing = deployActions(types).filter((action) => granting(action).length === 0);
    expect(missing).toEqual([]);
  });

  it('grants nothing for deploying that the table does not list', () => {
    const needed = new Set(deployActions(Object.keys(CLOUDFORMATION_PERMISSIONS)));
    expect(deploy.flatMap((s) => s.Action.filter((action) => !needed.has(action)).map((action) => `${s.Sid}: ${action}`))).toEqual([]);
  });

  it('uses no wildcard action', () => {
    for (const s of statements) for (const action of s.Action) expect(action).not.toContain('*');
  });

  it('changes and deletes only KMS keys that carry the stack`s tag', () => {
    const keyActions = deploy.filter((s) => s.Action.some((a) => a.startsWith('kms:')));
    for (const s of keyActions) {
      if (s.Action.includes('kms:CreateKey')) continue;
      expect(s.Condition, s.Sid).toEqual({ StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: [STAGE] } });
      expect(resolved(s).Resource).toEqual(['arn:aws:kms:eu-west-1:123456789012:key/*']);
    }
    for (const action of ['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy', 'kms:UntagResource', 'kms:DescribeKey']) {
      expect(
        granting(action).map((s) => s.Sid),
        action,
      ).toEqual(['DeployManageOnlyTheStackKey']);
    }
  });

  it('creates a key (which cannot be scoped to a key ARN) only with the stack`s tag on it', () => {
    const [create, ...others] = granting('kms:CreateKey');
    expect(others).toEqual([]);
    expect(create).toMatchObject({
      Resource: ['*'],
      Action: ['kms:CreateKey', 'kms:TagResource'],
      Condition: { StringEquals: { [`aws:RequestTag/${STACK_TAG}`]: [STAGE] } },
    });
  });

  it('passes the function role only to Lambda, and mapped roles only to EC2', () => {
    expect(granting('iam:PassRole').map((s) => [s.Sid, s.Condition])).toEqual([
      ['CliPassOnlyMappedRolesToEc2', { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com'] } }],
      ['DeployPassFunctionRoleToLambda', { StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com'] } }],
    ]);
    expect(resolved(granting('iam:PassRole')[1] as Statement).Resource).toEqual([`arn:aws:iam::123456789012:role/profile-guard-${STAGE}-eu-west-1`]);
  });

  it('scopes every other deploy statement to the stage`s own resources', () => {
    const unscoped = new Set(['DeployValidateTemplate', 'DeployListLogGroupsAndAlarms', 'DeployCreateTopicKey', 'DeployManageOnlyTheStackKey']);
    for (const s of deploy.filter((statement) => !unscoped.has(statement.Sid))) {
      for (const resource of resolved(s).Resource as string[])
        expect(resource, s.Sid).toMatch(/^arn:aws:[a-z0-9-]+:(eu-west-1)?:(123456789012)?:.*profile-guard-test/);
    }
    // What is on "*" reads only (or is conditioned, above): AWS offers no resource-level permission for these.
    expect(granting('cloudformation:ValidateTemplate')[0]?.Resource).toEqual(['*']);
    expect(statements.find((s) => s.Sid === 'DeployListLogGroupsAndAlarms')).toMatchObject({
      Action: ['logs:DescribeLogGroups', 'cloudwatch:DescribeAlarms'],
      Resource: ['*'],
    });
  });

  it('matches the deployment bucket CloudFormation names, widening only when it has to shorten the name', () => {
    expect(deploymentBucketPattern('prod')).toBe('profile-guard-prod-serverlessdeploymentbucket-*');
    expect(deploymentBucketPattern('12345678')).toBe('profile-guard-12345678-serverlessdeploymentbucket-*');
    // 14 + 9 + 28 + 13 > 63: CloudFormation shortens the name, so only the service prefix is sure.
    expect(deploymentBucketPattern('123456789')).toBe('profile-guard-*-serverlessdeploy*');
  });

  it('lists each framework call with the IAM action AWS checks for it', () => {
    expect(FRAMEWORK_CALLS['S3:HeadBucket']).toBe('s3:ListBucket');
    expect(FRAMEWORK_CALLS['S3:HeadObject']).toBe('s3:GetObject');
    expect(FRAMEWORK_CALLS['S3:DeleteObjects']).toBe('s3:DeleteObject');
  });
});

describe('the packaged template, as the policy expects it', () => {
  it('tags the topic key with the stack`s tag, and the whole stack too', () => {
    expect(resources.ReportTopicKey?.Properties.Tags).toEqual([{ Key: STACK_TAG, Value: STAGE }]);
    expect(state.service.provider.stackTags).toEqual({ [STACK_TAG]: STAGE });
  });

  it('keeps the deployment bucket unversioned and private (so no object-version permissions are needed)', () => {
    const bucket = resources.ServerlessDeploymentBucket?.Properties ?? {};
    expect(bucket.VersioningConfiguration).toBeUndefined();
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('publishes no Lambda versions', () => {
    expect(types).not.toContain('AWS::Lambda::Version');
  });
});

describe('the deployer`s policy size', () => {
  it('fits one IAM managed policy (6,144 characters without whitespace) for a usual stage in the longest region names', () => {
    const all = resolvePseudoParameters(operatorStatements(loadMappingFile('mapping.yaml'), 'staging'), { account: '123456789012', region: 'ap-southeast-2' });
    const document = { Version: '2012-10-17', Statement: all.filter((s) => s.Sid.startsWith('Deploy')) };
    expect(JSON.stringify(document).length).toBeLessThanOrEqual(6144);
  });
});
