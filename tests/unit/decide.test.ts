import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ActionKind, decide, writes } from '../../lib/decide.js';
import { DECISION_TABLE, renderDecisionTable } from '../../lib/decision-table.js';
import { parseMapping } from '../../lib/mapping/load.js';
import type { CurrentAssociation, InstanceFacts, InstanceState } from '../../lib/model.js';
import { DECISION_TABLE_END, DECISION_TABLE_START } from '../../scripts/docs.js';

const mapping = parseMapping(`
version: 1
rules:
  - name: quarantine
    match: { tags: { "security:quarantine": "true" } }
    profile: none
  - name: web
    match: { tags: { app: "web-*" } }
    profile: WebProfile
  - name: hardened
    match: { tags: { app: hardened } }
    profile: WebProfile
    imdsv2: required
`);
const reportMapping = { ...mapping, onWrongProfile: 'report' as const };
const unmanagedMapping = parseMapping('version: 1\nrules: []');

function association(profileName: string, state: CurrentAssociation['state'] = 'associated'): CurrentAssociation {
  return { associationId: 'iip-assoc-1', profileArn: `arn:aws:iam::123456789012:instance-profile/some/path/${profileName}`, profileName, state };
}

function facts(state: InstanceState, tags: Record<string, string>, current?: CurrentAssociation, httpTokens = 'optional'): InstanceFacts {
  return { instanceId: 'i-0123456789abcdef0', state, tags: new Map(Object.entries(tags)), association: current, httpTokens };
}

const web = { app: 'web-frontend' };
const quarantined = { 'security:quarantine': 'true', app: 'web-frontend' };

// The decision table (README, "How it decides"), one row per line.
const table: [string, InstanceFacts, typeof mapping, ActionKind, string?][] = [
  ['terminated instance is skipped as gone', facts('terminated', web), mapping, 'skip', 'gone'],
  ['shutting-down instance is skipped as gone', facts('shutting-down', web, association('Other')), mapping, 'skip', 'gone'],
  ['unknown instance is skipped as gone', facts('not-found', {}), mapping, 'skip', 'gone'],
  ['opted-out instance is skipped', facts('running', { ...web, 'profile-guard:ignore': 'true' }), mapping, 'skip', 'opted-out'],
  ['opt-out tag with another value does not opt out', facts('running', { ...web, 'profile-guard:ignore': 'no' }), mapping, 'associate'],
  ['no rule and no default leaves the instance unmanaged', facts('running', { app: 'db' }), mapping, 'skip', 'unmanaged'],
  ['associating association is waited for', facts('running', web, association('WebProfile', 'associating')), mapping, 'wait', 'association-transition'],
  ['disassociating association is waited for', facts('stopped', web, association('Other', 'disassociating')), mapping, 'wait', 'association-transition'],
  ['pending instance is waited for', facts('pending', web), mapping, 'wait', 'instance-transition'],
  ['stopping instance is waited for', facts('stopping', web), mapping, 'wait', 'instance-transition'],
  ['running, wants none, has none: nothing', facts('running', quarantined), mapping, 'noop'],
  ['stopped, wants none, has none: nothing', facts('stopped', quarantined), mapping, 'noop'],
  ['running, wants none, has one: disassociate', facts('running', quarantined, association('WebProfile')), mapping, 'disassociate'],
  ['stopped, wants none, has one: disassociate', facts('stopped', quarantined, association('WebProfile')), mapping, 'disassociate'],
  ['running, wants P, has none: associate', facts('running', web), mapping, 'associate'],
  ['stopped, wants P, has none: associate', facts('stopped', web), mapping, 'associate'],
  ['running, wants P, has P: nothing', facts('running', web, association('WebProfile')), mapping, 'noop'],
  ['profile names compare case-insensitively, path ignored', facts('running', web, association('webprofile')), mapping, 'noop'],
  ['running, wants P, has Q: replace', facts('running', web, association('AdminProfile')), mapping, 'replace'],
  ['stopped, wants P, has Q: detach then attach', facts('stopped', web, association('AdminProfile')), mapping, 'detach-attach'],
  ['report mode, wants P, has Q: drift only', facts('running', web, association('AdminProfile')), reportMapping, 'report-drift'],
  ['report mode still attaches a missing profile', facts('running', web), reportMapping, 'associate'],
  ['report mode still strips a quarantined instance', facts('running', quarantined, association('AdminProfile')), reportMapping, 'disassociate'],
  ['empty mapping manages nothing', facts('running', web), unmanagedMapping, 'skip', 'unmanaged'],
];

describe('decide', () => {
  it.each(table)('%s', (_name, input, map, kind, why) => {
    const decision = decide(input, map);
    expect(decision.action.kind).toBe(kind);
    if (why) expect(decision.action).toMatchObject({ why });
    expect(decision.reason).not.toBe('');
  });

  it('carries from, to and the association id into a replace', () => {
    const decision = decide(facts('running', web, association('AdminProfile')), mapping);
    expect(decision.action).toEqual({ kind: 'replace', from: 'AdminProfile', to: 'WebProfile', associationId: 'iip-assoc-1' });
    expect(decision.rule).toBe('web');
  });

  it('falls back to the default profile when no rule matches', () => {
    const withDefault = parseMapping('version: 1\nrules: []\ndefault: BaselineSsmProfile');
    const decision = decide(facts('running', { app: 'db' }), withDefault);
    expect(decision.action).toEqual({ kind: 'associate', to: 'BaselineSsmProfile' });
    expect(decision.rule).toBe('default');
  });

  it('asks for IMDSv2 only where the rule wants it and the instance lacks it', () => {
    expect(decide(facts('running', { app: 'hardened' }, association('WebProfile')), mapping)).toMatchObject({ action: { kind: 'noop' }, enforceImdsv2: true });
    expect(decide(facts('running', { app: 'hardened' }, association('WebProfile'), 'required'), mapping)).toMatchObject({ enforceImdsv2: false });
    expect(decide(facts('running', web), mapping).enforceImdsv2).toBe(false);
  });

  it('counts only decisions that call a mutating API as writes', () => {
    expect(writes(decide(facts('running', web), mapping))).toBe(true);
    expect(writes(decide(facts('running', web, association('WebProfile')), mapping))).toBe(false);
    expect(writes(decide(facts('running', { app: 'hardened' }, association('WebProfile')), mapping))).toBe(true);
    expect(writes(decide(facts('running', web, association('AdminProfile')), reportMapping))).toBe(false);
  });

  it('is deterministic', () => {
    const input = facts('stopped', web, association('AdminProfile'));
    expect(decide(input, mapping)).toEqual(decide(structuredClone(input), mapping));
  });
});

describe('the documented decision table', () => {
  it.each(DECISION_TABLE.map((row) => [`${row.instance} | ${row.desired} | ${row.current}`, row] as const))('%s -> its documented action', (_name, row) => {
    expect(decide(row.example.facts, row.example.mapping).action.kind).toBe(row.action);
  });

  it('is what the README shows', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf(DECISION_TABLE_START) + DECISION_TABLE_START.length, readme.indexOf(DECISION_TABLE_END)).trim();
    expect(section).toBe(renderDecisionTable());
  });
});
