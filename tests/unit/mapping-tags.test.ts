import { describe, expect, it } from 'vitest';
import { decide } from '../../lib/decide.js';
import { parseMapping } from '../../lib/mapping/load.js';
import { desiredFor } from '../../lib/mapping/match.js';
import { roleOf } from '../../lib/mapping/schema.js';
import type { InstanceFacts } from '../../lib/model.js';
import { mappingProblems } from '../helpers/mapping.js';

const tags = (record: Record<string, string>): ReadonlyMap<string, string> => new Map(Object.entries(record));

const problemsOf = (source: string) => mappingProblems(source, 'tags.yaml');

describe('tag keys named like Object.prototype members are ordinary keys', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'])('a rule on %s matches only instances carrying that tag', (key) => {
    const mapping = parseMapping(`version: 1\nrules:\n  - { name: odd, match: { tags: { ${key}: "*" } }, profile: OddProfile }`);
    expect(desiredFor({ tags: tags({ app: 'web' }) }, mapping)).toBeUndefined();
    expect(desiredFor({ tags: new Map() }, mapping)).toBeUndefined();
    expect(desiredFor({ tags: tags({ [key]: 'yes' }) }, mapping)?.profile).toBe('OddProfile');
  });

  it('matches a value pattern on such a key like on any other', () => {
    const mapping = parseMapping('version: 1\nrules:\n  - { name: odd, match: { tags: { constructor: "web-*" } }, profile: OddProfile }');
    expect(desiredFor({ tags: tags({ constructor: 'web-1' }) }, mapping)?.rule).toBe('odd');
    expect(desiredFor({ tags: tags({ constructor: 'db-1' }) }, mapping)).toBeUndefined();
  });

  it('lints such keys without crashing (a later rule on the same key is compared as data)', () => {
    const source =
      'version: 1\nrules:\n  - { name: a, match: { tags: { toString: "*" } }, profile: A }\n  - { name: b, match: { tags: { toString: x } }, profile: B }';
    expect(problemsOf(source)).toEqual([expect.stringContaining('rule 1 "b": unreachable: rule 0 "a"')]);
  });

  it('an opt-out tag named constructor opts out only instances that carry it with "true"', () => {
    const mapping = parseMapping('version: 1\noptOutTag: constructor\nrules: []\ndefault: Baseline');
    const facts = (record: Record<string, string>): InstanceFacts => ({ instanceId: 'i-0123456789abcdef0', state: 'running', tags: tags(record) });
    expect(decide(facts({}), mapping).action.kind).toBe('associate');
    expect(decide(facts({ constructor: 'true' }), mapping).action).toEqual({ kind: 'skip', why: 'opted-out' });
  });

  it('a profile named like a prototype member has its own role, never a function from Object.prototype', () => {
    const mapping = parseMapping('version: 1\nrules:\n  - { name: a, match: { tags: { x: y } }, profile: constructor }');
    expect(roleOf(mapping, 'constructor')).toBe('constructor');
    expect(roleOf(mapping, 'toString')).toBe('toString');
  });
});

describe('tag patterns the mapping refuses', () => {
  it('refuses empty tags, which would match every instance', () => {
    expect(problemsOf('version: 1\nrules:\n  - { name: everything, match: { tags: {} }, profile: AdminProfile }')).toEqual([
      'rule 0 "everything" match.tags: tags is empty, which would match every instance; name at least one tag (use "default" for a catch-all)',
    ]);
    expect(problemsOf('version: 1\nrules:\n  - { name: net, match: { tags: {}, vpc: [vpc-0a] }, profile: NetProfile }')).toEqual([
      expect.stringContaining('rule 0 "net" match.tags: tags is empty'),
    ]);
  });
});

describe('aws: system tags', () => {
  const mapping = parseMapping(`
version: 1
rules:
  - { name: web-asg, match: { tags: { "aws:autoscaling:groupName": "web-asg-*" } }, profile: WebProfile }
  - { name: stack, match: { tags: { "aws:cloudformation:stack-name": payments, team: payments } }, profile: PaymentsProfile }
`);

  it('accepts keys beginning aws: and matches instances AWS tagged with them', () => {
    expect(desiredFor({ tags: tags({ 'aws:autoscaling:groupName': 'web-asg-prod' }) }, mapping)?.profile).toBe('WebProfile');
    expect(desiredFor({ tags: tags({ 'aws:autoscaling:groupName': 'batch-asg' }) }, mapping)).toBeUndefined();
    expect(desiredFor({ tags: tags({ 'aws:cloudformation:stack-name': 'payments', team: 'payments' }) }, mapping)?.rule).toBe('stack');
  });

  it('leaves an instance that lacks the system tag alone, whatever user tags it carries', () => {
    expect(desiredFor({ tags: tags({ team: 'payments', Name: 'aws:autoscaling:groupName' }) }, mapping)).toBeUndefined();
  });
});
