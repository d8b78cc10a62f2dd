import { describe, expect, it } from 'vitest';
import { loadMappingFile, parseMapping, validateMapping, validateMappingFile } from '../../lib/mapping/load.js';

const warningsOf = (rules: string, extra = '') => validateMapping(`version: 1\nrules:\n${rules}\n${extra}`, 'w.yaml').warnings;

describe('confused-deputy warnings', () => {
  it('warns about a rule that attaches a profile on user-settable tags only, naming the rule, the profile and what to do', () => {
    expect(warningsOf('  - { name: web, match: { tags: { app: "web-*", team: web } }, profile: WebProfile }')).toEqual([
      'rule 0 "web" attaches WebProfile on tags anyone allowed to launch or tag instances can set (app, team), so they can give an instance WebProfile. ' +
        'Also match an aws: system tag (aws:autoscaling:groupName, aws:ec2launchtemplate:id, aws:cloudformation:stack-name) or a vpc/subnet, ' +
        'or deny ec2:CreateTags and ec2:DeleteTags on app, team to all but your platform role (SCP with aws:TagKeys, or a tag policy)',
    ]);
  });

  it.each([
    ['an aws:autoscaling:groupName pattern', '{ tags: { "aws:autoscaling:groupName": "web-asg-*" } }'],
    ['an aws:ec2launchtemplate:id value', '{ tags: { "aws:ec2launchtemplate:id": lt-0abc, app: web } }'],
    ['an aws:cloudformation:stack-name value', '{ tags: { "aws:cloudformation:stack-name": web } }'],
    ['a VPC', '{ tags: { app: web }, vpc: [vpc-0abc] }'],
    ['a subnet', '{ subnet: [subnet-0abc] }'],
  ])('does not warn about a rule anchored on %s', (_name, match) => {
    expect(warningsOf(`  - { name: r, match: ${match}, profile: WebProfile }`)).toEqual([]);
  });

  it('still warns when the only aws: tag is matched by "*" (any Auto Scaling group would do)', () => {
    expect(warningsOf('  - { name: any-asg, match: { tags: { "aws:autoscaling:groupName": "*", team: ops } }, profile: OpsProfile }')).toEqual([
      expect.stringMatching(
        /^rule 0 "any-asg" attaches OpsProfile on tags anyone allowed to launch or tag instances can set \(aws:autoscaling:groupName, team\)/,
      ),
    ]);
  });

  it('does not warn about a rule that removes the profile', () => {
    expect(warningsOf('  - { name: quarantine, match: { tags: { "security:quarantine": "true" } }, profile: none }')).toEqual([]);
  });

  it('warns about a default that attaches a profile, and not about default: none', () => {
    expect(warningsOf('  []', 'default: BaselineSsmProfile')).toEqual([
      'default attaches BaselineSsmProfile to every instance no rule matches: anyone who can launch an instance (or remove its tags) gets it. ' +
        'Keep the default a least-privilege baseline profile, or remove "default" to leave unmatched instances alone',
    ]);
    expect(warningsOf('  []', 'default: none')).toEqual([]);
  });

  it('has nothing to say about a mapping anchored on system tags and networks', () => {
    expect(validateMappingFile('tests/fixtures/mappings/anchored.yaml').warnings).toEqual([]);
  });

  it('warns about each risky rule of the shipped mapping, which still loads', () => {
    const { mapping, warnings } = validateMappingFile('mapping.yaml');
    expect(warnings.map((w) => w.slice(0, w.indexOf(' attaches')))).toEqual(['rule 1 "payments-prod"', 'rule 2 "web"', 'rule 3 "batch-workers"', 'default']);
    expect(loadMappingFile('mapping.yaml')).toEqual(mapping);
    expect(parseMapping('version: 1\nrules: []\ndefault: P')).not.toHaveProperty('warnings');
  });
});
