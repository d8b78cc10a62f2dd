import { describe, expect, it } from 'vitest';
import { packageService } from '../../support/package.js';

describe('the packaged policy follows the mapping', () => {
  it('grants only what a different mapping needs', () => {
    const { template } = packageService('fixture', { mappingFile: 'tests/fixtures/mappings/report-only.yaml' });
    const role = template.Resources.IamRoleLambdaExecution?.Properties as {
      Policies: { PolicyDocument: { Statement: { Sid?: string; Action: string[]; Resource: unknown; Condition?: unknown }[] } }[];
    };
    const statements = role.Policies[0]?.PolicyDocument.Statement ?? [];
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid).map((s) => [s.Sid, s]));

    expect(Object.keys(bySid)).toEqual([
      'ReadInstancesAndAssociations',
      'AttachOnlyMappedProfiles',
      'PassOnlyMappedRolesToEc2',
      'PublishReports',
      'EncryptReports',
      'KeepFailuresInDeadLetterQueue',
    ]);
    expect(bySid.AttachOnlyMappedProfiles?.Condition).toEqual({
      ArnLike: {
        'ec2:NewInstanceProfile': [
          { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:instance-profile/AnalyticsProfile' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:instance-profile/*/AnalyticsProfile' },
        ],
      },
    });
    expect(bySid.PassOnlyMappedRolesToEc2?.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/analytics-ec2' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*/analytics-ec2' },
    ]);
    // The mapping file rides in the bundle under its own name.
    expect(
      (template.Resources.RemediateLambdaFunction?.Properties as { Environment?: { Variables: Record<string, unknown> } } | undefined)?.Environment?.Variables
        .MAPPING_FILE,
    ).toBe('tests/fixtures/mappings/report-only.yaml');
  });

  it('refuses to package an invalid mapping, naming the file, the rule and the reason', () => {
    expect(() => packageService('invalid', { mappingFile: 'tests/fixtures/mappings/invalid-rule.yaml' })).toThrow(
      /tests\/fixtures\/mappings\/invalid-rule\.yaml: invalid mapping:[\s\S]*rule 1 "broken" match: match needs at least one of tags, vpc, subnet[\s\S]*rule 1 "broken" profile: must be an IAM instance profile name/,
    );
  });
});
