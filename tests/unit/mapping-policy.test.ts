import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../../lib/decide.js';
import { parseMapping } from '../../lib/mapping/load.js';
import type { Mapping } from '../../lib/mapping/schema.js';
import { remediateStatements, type Statement } from '../../policies/generate.js';
import { instanceFacts, validMapping } from './mapping-arbitraries.js';

const refs = {
  topicArn: 'arn:aws:sns:us-east-1:123456789012:t',
  topicKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
  dlqArn: 'arn:aws:sqs:us-east-1:123456789012:q',
};
const statementsOf = (mapping: Mapping) => remediateStatements(mapping, refs);
const sid = (statements: Statement[], name: string) => statements.find((s) => s.Sid === name);
const grantsDetach = (mapping: Mapping) => sid(statementsOf(mapping), 'DetachProfiles') !== undefined;

describe('the function role may disassociate exactly when decide can', () => {
  it.each([
    [
      'a none rule, even with onWrongProfile: report',
      'onWrongProfile: report\nrules:\n  - { name: q, match: { tags: { q: "true" } }, profile: none }\n  - { name: w, match: { tags: { app: w } }, profile: WebProfile }',
      true,
    ],
    [
      'default: none with onWrongProfile: report',
      'onWrongProfile: report\nrules:\n  - { name: w, match: { tags: { app: w } }, profile: WebProfile }\ndefault: none',
      true,
    ],
    ['default: none and no profile at all', 'rules: []\ndefault: none', true],
    [
      'replace mode and a real profile (detach-then-attach on a stopped instance)',
      'rules:\n  - { name: w, match: { tags: { app: w } }, profile: WebProfile }',
      true,
    ],
    ['replace mode and only a real default', 'rules: []\ndefault: BaselineProfile', true],
    [
      'report mode, real profiles only',
      'onWrongProfile: report\nrules:\n  - { name: w, match: { tags: { app: w } }, profile: WebProfile }\ndefault: BaselineProfile',
      false,
    ],
    ['nothing mapped at all', 'rules: []', false],
  ])('%s: %s', (_name, body, expected) => {
    expect(grantsDetach(parseMapping(`version: 1\n${body}`))).toBe(expected);
  });

  it('default: none really does disassociate (the case the policy used to miss)', () => {
    const mapping = parseMapping('version: 1\nonWrongProfile: report\nrules: []\ndefault: none');
    const profileArn = 'arn:aws:iam::123456789012:instance-profile/Admin';
    const association = { associationId: 'iip-assoc-1', profileArn, profileName: 'Admin', state: 'associated' as const };
    const facts = { instanceId: 'i-0123456789abcdef0', state: 'running' as const, tags: new Map<string, string>(), association };
    expect(decide(facts, mapping).action.kind).toBe('disassociate');
    expect(grantsDetach(mapping)).toBe(true);
  });

  it('grants every write decide asks for, on random mappings and instances', () => {
    fc.assert(
      fc.property(validMapping, instanceFacts, (mapping, facts) => {
        const decision = decide(facts, mapping);
        const statements = statementsOf(mapping);
        const { action } = decision;
        if (action.kind === 'disassociate' || action.kind === 'detach-attach') expect(sid(statements, 'DetachProfiles')).toBeDefined();
        if (action.kind === 'associate' || action.kind === 'replace' || action.kind === 'detach-attach') {
          const allowed = sid(statements, 'AttachOnlyMappedProfiles')?.Condition?.ArnLike?.['ec2:NewInstanceProfile'];
          expect(JSON.stringify(allowed)).toContain(`:instance-profile/${action.to}"`);
        }
        if (decision.enforceImdsv2) expect(sid(statements, 'RequireImdsv2')).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});
