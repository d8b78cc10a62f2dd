import { describe, expect, it } from 'vitest';
import { OPERATIONS_BY_PRINCIPAL } from '../../lib/aws/index.js';
import { actionsOf } from '../../lib/aws/operations.js';
import { loadMappingFile, parseMapping } from '../../lib/mapping/load.js';
import { operatorStatements, resolvePseudoParameters, skeletonProblems } from '../../policies/generate.js';
import { cli } from '../helpers/cli.js';

const mapping = loadMappingFile('mapping.yaml');
const statements = operatorStatements(mapping, 'prod');
const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));

describe('the operator policy', () => {
  it('grants exactly the actions the declared AWS operations of the CLI need', () => {
    const cliActions = new Set(statements.filter((s) => s.Sid.startsWith('Cli')).flatMap((s) => s.Action));
    expect([...cliActions].sort()).toEqual(actionsOf(OPERATIONS_BY_PRINCIPAL.operator).sort());
  });

  it('has a statement for every operation each principal sends, and none for one it does not', () => {
    expect(skeletonProblems('operator')).toEqual([]);
    expect(skeletonProblems('remediate')).toEqual([]);
    expect(skeletonProblems('member')).toEqual([]);
  });

  it('uses no wildcard action', () => {
    for (const s of statements) for (const action of s.Action) expect(action).not.toContain('*');
  });

  it('passes the mapped roles only to EC2 and the function role only to Lambda', () => {
    const passRoles = statements.filter((s) => s.Action.includes('iam:PassRole'));
    expect(passRoles.map((s) => [s.Sid, s.Condition])).toEqual([
      ['CliPassOnlyMappedRolesToEc2', { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com'] } }],
      ['DeployPassFunctionRoleToLambda', { StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com'] } }],
    ]);
    expect(bySid.DeployPassFunctionRoleToLambda?.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/profile-guard-prod-${AWS::Region}' },
    ]);
  });

  it('scopes deploy permissions to the stage`s own resources', () => {
    const resolved = resolvePseudoParameters(statements, { account: '123456789012', region: 'eu-west-1' });
    // Statements on "*" (no resource-level permission exist for them) are held to their conditions in tests/template/deploy-policy.test.ts.
    const unscoped = ['DeployValidateTemplate', 'DeployListLogGroupsAndAlarms', 'DeployCreateTopicKey'];
    const deploy = resolved.filter((s) => s.Sid.startsWith('Deploy') && !unscoped.includes(s.Sid));
    for (const s of deploy) {
      for (const resource of [s.Resource].flat()) expect(resource).toMatch(/profile-guard-prod|:kms:eu-west-1:123456789012:key\/\*/);
    }
  });

  it('follows the mapping', () => {
    const small = parseMapping('version: 1\nonWrongProfile: report\nrules:\n  - { name: a, match: { tags: { x: y } }, profile: OnlyProfile }');
    const sids = operatorStatements(small, 'dev').map((s) => s.Sid);
    expect(sids).not.toContain('CliDetachProfiles');
    expect(sids).not.toContain('CliRequireImdsv2');
  });
});

describe('profile-guard policy', () => {
  it('prints the operator policy resolved for an account', async () => {
    const result = await cli(['policy', 'operator', '--stage', 'prod', '--account', '123456789012', '--region', 'eu-west-1']);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.Statement.find((s: { Sid: string }) => s.Sid === 'CliRedriveDeadLetters').Resource).toEqual([
      'arn:aws:sqs:eu-west-1:123456789012:profile-guard-prod-dlq',
    ]);
    expect(result.stdout).not.toContain('Fn::Sub');
  });

  it('prints the function role policy in CloudFormation form', async () => {
    const result = await cli(['policy', 'remediate']);
    expect(JSON.parse(result.stdout).Statement.map((s: { Sid: string }) => s.Sid)).toContain('PassOnlyMappedRolesToEc2');
  });

  it('refuses half an address', async () => {
    const result = await cli(['policy', 'operator', '--account', '123456789012']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('profile-guard: give both --account and --region for a concrete policy, or neither for CloudFormation form');
  });
});
