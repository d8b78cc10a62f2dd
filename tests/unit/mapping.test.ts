import { describe, expect, it } from 'vitest';
import { loadMappingFile, parseMapping } from '../../lib/mapping/load.js';
import { desiredFor, globMatches } from '../../lib/mapping/match.js';
import { mappedProfiles, roleOf } from '../../lib/mapping/schema.js';
import { mappingProblems } from '../helpers/mapping.js';

const problemsOf = (source: string) => mappingProblems(source);

describe('the shipped mapping', () => {
  it('loads, with defaults filled in', () => {
    const mapping = loadMappingFile('mapping.yaml');
    expect(mapping.optOutTag).toBe('profile-guard:ignore');
    expect(mapping.onWrongProfile).toBe('replace');
    expect(mapping.rules.map((r) => r.name)).toEqual(['quarantine', 'payments-prod', 'web', 'batch-workers']);
    expect(mappedProfiles(mapping)).toEqual(['PaymentsProdProfile', 'WebProfile', 'BatchProfile', 'BaselineSsmProfile']);
    expect(roleOf(mapping, 'WebProfile')).toBe('WebRole');
  });
});

describe('mapping validation', () => {
  it.each([
    ['wrong version', 'version: 2\nrules: []', 'version: version must be 1'],
    ['unknown top-level key', 'version: 1\nrules: []\nrulez: []', 'mapping: Unrecognized key: "rulez"'],
    [
      'rule without match conditions',
      'version: 1\nrules:\n  - { name: a, match: {}, profile: P }',
      'rule 0 "a" match: match needs at least one of tags, vpc, subnet',
    ],
    [
      'bad profile name',
      'version: 1\nrules:\n  - { name: a, match: { tags: { x: y } }, profile: "bad name" }',
      'rule 0 "a" profile: must be an IAM instance profile name',
    ],
    ['bad vpc id', 'version: 1\nrules:\n  - { name: a, match: { vpc: [net-1] }, profile: P }', 'rule 0 "a" match.vpc.0: must be a VPC id'],
    [
      'duplicate rule name',
      'version: 1\nrules:\n  - { name: a, match: { tags: { x: y } }, profile: P }\n  - { name: a, match: { tags: { x: z } }, profile: Q }',
      'rule 1 "a" name: duplicate rule name "a" (also rule 0)',
    ],
    ['bad onWrongProfile', 'version: 1\nonWrongProfile: fix\nrules: []', 'onWrongProfile:'],
    [
      'unknown rule field',
      'version: 1\nrules:\n  - { name: a, match: { tags: { x: y } }, profile: P, imdsv: required }',
      'rule 0 "a": Unrecognized key: "imdsv"',
    ],
    ['role for an unmapped profile', 'version: 1\nrules: []\nroles: { Ghost: GhostRole }', 'roles.Ghost: profile Ghost is not used'],
    ['YAML syntax error', 'version: 1\nrules: [', 'YAML syntax, line'],
    ['duplicate YAML key', 'version: 1\nversion: 1\nrules: []', 'YAML syntax'],
    ['not a mapping at all', '- just\n- a list', 'mapping:'],
  ])('refuses %s, naming where and why', (_name, source, expected) => {
    const problems = problemsOf(source);
    expect(problems.some((p) => p.startsWith(expected))).toBe(true);
  });

  it('names the file in the error message', () => {
    expect(() => parseMapping('version: 3', 'stages/prod.yaml')).toThrow(/^stages\/prod\.yaml: invalid mapping/);
  });

  it('refuses an absurdly large file without parsing it', () => {
    expect(problemsOf(`# ${'x'.repeat(300 * 1024)}\nversion: 1\nrules: []`)).toEqual(['file is larger than 262144 bytes']);
  });

  it('refuses a file that cannot be read', () => {
    expect(() => loadMappingFile('does/not/exist.yaml')).toThrow(/does\/not\/exist\.yaml: invalid mapping:\n {2}- cannot read the file/);
  });
});

describe('rule matching', () => {
  const mapping = parseMapping(`
version: 1
rules:
  - { name: exact, match: { tags: { team: payments, env: prod } }, profile: Payments }
  - { name: glob, match: { tags: { app: "web-*" } }, profile: Web }
  - { name: present, match: { tags: { batch: "*" } }, profile: Batch }
  - { name: network, match: { tags: { app: api }, vpc: [vpc-0abc], subnet: [subnet-01, subnet-02] }, profile: Api }
default: Baseline
`);
  it.each([
    ['all tags of a rule must hold', { team: 'payments', env: 'prod' }, {}, 'exact'],
    ['one missing tag falls through', { team: 'payments', env: 'dev' }, {}, 'default'],
    ['glob value', { app: 'web-frontend' }, {}, 'glob'],
    ['glob must match the whole value', { app: 'my-web-frontend' }, {}, 'default'],
    ['key present with any value, even empty', { batch: '' }, {}, 'present'],
    ['tag keys are case-sensitive', { Team: 'payments', env: 'prod' }, {}, 'default'],
    ['instance attributes all hold', { app: 'api' }, { vpcId: 'vpc-0abc', subnetId: 'subnet-02' }, 'network'],
    ['wrong subnet falls through', { app: 'api' }, { vpcId: 'vpc-0abc', subnetId: 'subnet-09' }, 'default'],
    ['no VPC (EC2-Classic-like) falls through', { app: 'api' }, {}, 'default'],
  ])('%s', (_name, tags, attributes, rule) => {
    expect(desiredFor({ tags: new Map(Object.entries(tags)), ...attributes }, mapping)?.rule).toBe(rule);
  });

  it('first match wins', () => {
    const tags = new Map([
      ['team', 'payments'],
      ['env', 'prod'],
      ['app', 'web-1'],
    ]);
    expect(desiredFor({ tags }, mapping)?.profile).toBe('Payments');
  });

  it('treats regex characters in globs literally', () => {
    expect(globMatches('a.b*', 'a.bc')).toBe(true);
    expect(globMatches('a.b*', 'axbc')).toBe(false);
    expect(globMatches('v?', 'v1')).toBe(true);
    expect(globMatches('v?', 'v12')).toBe(false);
  });
});

describe('mapping lint', () => {
  it.each([
    [
      'a rule after a broader one',
      '  - { name: any-web, match: { tags: { app: "web-*" } }, profile: Web }\n  - { name: web-front, match: { tags: { app: web-front, team: x } }, profile: Front }',
      'rule 1 "web-front": unreachable: rule 0 "any-web" matches every instance it would',
    ],
    [
      'a rule after a key-present rule',
      '  - { name: any-app, match: { tags: { app: "*" } }, profile: Web }\n  - { name: glob, match: { tags: { app: "api-*" } }, profile: Api }',
      'rule 1 "glob": unreachable: rule 0 "any-app"',
    ],
    [
      'a rule after one with a wider VPC list',
      '  - { name: vpcs, match: { vpc: [vpc-0a, vpc-0b] }, profile: Net }\n  - { name: one, match: { vpc: [vpc-0a], tags: { x: y } }, profile: One }',
      'rule 1 "one": unreachable: rule 0 "vpcs"',
    ],
    [
      'a profile in two casings',
      '  - { name: a, match: { tags: { x: a } }, profile: WebProfile }\n  - { name: b, match: { tags: { x: b } }, profile: webprofile }',
      'profile named with different casing: WebProfile, webprofile',
    ],
  ])('refuses %s', (_name, rules, expected) => {
    expect(problemsOf(`version: 1\nrules:\n${rules}`)).toEqual([expect.stringContaining(expected)]);
  });

  it.each([
    [
      'narrower first, broader after',
      '  - { name: front, match: { tags: { app: web-front } }, profile: Front }\n  - { name: web, match: { tags: { app: "web-*" } }, profile: Web }',
    ],
    [
      'different glob values',
      '  - { name: a, match: { tags: { app: "web-*" } }, profile: Web }\n  - { name: b, match: { tags: { app: "api-*" } }, profile: Api }',
    ],
    [
      'an earlier rule limited to a VPC',
      '  - { name: a, match: { tags: { app: x }, vpc: [vpc-0a] }, profile: A }\n  - { name: b, match: { tags: { app: x } }, profile: B }',
    ],
  ])('accepts %s', (_name, rules) => {
    expect(() => parseMapping(`version: 1\nrules:\n${rules}`)).not.toThrow();
  });
});

describe('mapping: the metadata endpoint', () => {
  it('refuses imdsEndpoint without imdsv2, naming the rule', () => {
    expect(problemsOf('version: 1\nrules:\n  - { name: a, match: { tags: { app: x } }, profile: A, imdsEndpoint: enabled }')).toEqual([
      'rule 0 "a" imdsEndpoint: imdsEndpoint: enabled goes with imdsv2: required',
    ]);
  });
});
