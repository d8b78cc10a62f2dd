import { describe, expect, it } from 'vitest';
import { canDetach, decide } from '../../lib/decide.js';
import { parseMapping, validateMapping } from '../../lib/mapping/load.js';
import { selectRules } from '../../lib/mapping/overrides.js';
import { mappedProfiles } from '../../lib/mapping/schema.js';
import type { InstanceFacts } from '../../lib/model.js';
import { memberStatements, remediateStatements, type Statement } from '../../policies/generate.js';
import { mappingProblems } from '../helpers/mapping.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const OU = 'ou-ab12-cdef3456';

const mapping = parseMapping(`
version: 1
rules:
  - { name: web, match: { tags: { app: web } }, profile: WebProfile }
default: BaselineProfile
overrides:
  - accounts: ["${A}"]
    rules:
      - { name: web, match: { tags: { app: web } }, profile: PaymentsWebProfile }
  - ous: [${OU}]
    accounts: ["${B}"]
    rules:
      - { name: lab, match: { tags: { app: web } }, profile: LabProfile, imdsv2: required }
    default: none
  - accounts: ["${A}", "${C}"]
    rules:
      - { name: never, match: { tags: { app: web } }, profile: NeverProfile }
`);

const problemsOf = (source: string) => mappingProblems(source);

const running = (tags: Record<string, string>): InstanceFacts => ({
  instanceId: 'i-0123456789abcdef0',
  state: 'running',
  tags: new Map(Object.entries(tags)),
  httpTokens: 'optional',
});

describe('mapping overrides: the schema and lint', () => {
  const base = 'version: 1\nrules: []\noverrides:\n';
  it.each([
    ['no accounts and no ous', '  - rules: []', 'overrides[0]: an override needs accounts or ous (the accounts it applies to)'],
    ['an empty accounts list', '  - { accounts: [], rules: [] }', 'overrides[0] accounts: accounts is empty; name at least one account or leave it out'],
    ['an empty ous list', '  - { ous: [], rules: [] }', 'overrides[0] ous: ous is empty; name at least one OU or leave it out'],
    ['a short account id', '  - { accounts: ["12345"], rules: [] }', 'overrides[0] accounts.0: must be a 12-digit account id'],
    [
      'a number for an account id (leading zeros would be lost)',
      '  - { accounts: [111111111111], rules: [] }',
      'overrides[0] accounts.0: must be a 12-digit account id in quotes (a YAML number loses leading zeros)',
    ],
    ['a malformed OU', '  - { ous: [ou-1], rules: [] }', 'overrides[0] ous.0: must be an OU id like ou-ab12-cdef3456 or a root id like r-ab12'],
    ['an unknown field', '  - { accounts: ["111111111111"], rules: [], profile: X }', 'overrides[0]: Unrecognized key: "profile"'],
    [
      'a bad rule inside an override',
      '  - { accounts: ["111111111111"], rules: [{ name: w, match: { tags: { app: w } }, profile: "bad/name" }] }',
      'overrides[0] rule 0 "w" profile: must be an IAM instance profile name (letters, digits and +=,.@_-, at most 128), or "none"',
    ],
    [
      'a duplicate rule name within an override',
      '  - accounts: ["111111111111"]\n    rules:\n      - { name: w, match: { tags: { app: a } }, profile: P }\n      - { name: w, match: { tags: { app: b } }, profile: P }',
      'overrides[0] rule 1 "w" name: duplicate rule name "w" (also rule 0)',
    ],
  ])('refuses %s', (_, yaml, expected) => {
    expect(problemsOf(`${base}${yaml}`)).toEqual([expected]);
  });

  it('allows an override rule named like a top-level rule (each list is its own)', () => {
    expect(() =>
      parseMapping(
        `version: 1\nrules:\n  - { name: w, match: { tags: { app: a } }, profile: P }\noverrides:\n  - { accounts: ["${A}"], rules: [{ name: w, match: { tags: { app: a } }, profile: Q }] }`,
      ),
    ).not.toThrow();
  });

  it('names an unreachable override rule by its override', () => {
    const yaml = `${base}  - accounts: ["${A}"]\n    rules:\n      - { name: any, match: { tags: { app: "*" } }, profile: P }\n      - { name: web, match: { tags: { app: web } }, profile: Q }`;
    expect(problemsOf(yaml)).toEqual([
      'overrides[0] rule 1 "web": unreachable: overrides[0] rule 0 "any" matches every instance it would (first match wins); move it above or narrow the earlier rule',
    ]);
  });

  it('does not call an override rule unreachable because of a top-level rule (an override replaces the top level)', () => {
    const yaml = `version: 1\nrules:\n  - { name: any, match: { tags: { app: "*" } }, profile: P }\noverrides:\n  - { accounts: ["${A}"], rules: [{ name: web, match: { tags: { app: web } }, profile: Q }] }`;
    expect(problemsOf(yaml)).toEqual([]);
  });

  it('catches one profile spelled two ways across the top level and an override', () => {
    const yaml = `version: 1\nrules: []\ndefault: WebProfile\noverrides:\n  - { accounts: ["${A}"], rules: [], default: webprofile }`;
    expect(problemsOf(yaml)).toEqual(['profile named with different casing: WebProfile, webprofile; IAM names are case-insensitive, use one spelling']);
  });

  it('accepts roles for a profile only an override uses', () => {
    const yaml = `version: 1\nrules: []\nroles: { OnlyHere: only-here-role }\noverrides:\n  - { accounts: ["${A}"], rules: [], default: OnlyHere }`;
    expect(problemsOf(yaml)).toEqual([]);
  });

  it('warns about override rules and defaults like top-level ones (confused deputy)', () => {
    const { warnings } = validateMapping(
      `version: 1\nrules: []\noverrides:\n  - { accounts: ["${A}"], rules: [{ name: w, match: { tags: { app: w } }, profile: P }], default: Base }`,
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^overrides\[0\] rule 0 "w" attaches P on tags anyone allowed to launch or tag instances can set \(app\)/);
    expect(warnings[1]).toMatch(/^overrides\[0\] default attaches Base to every instance no rule matches/);
  });
});

describe('mapping overrides: which rules apply', () => {
  const from = (target?: { account: string; ou?: string }) => {
    const selection = selectRules(mapping, target);
    return 'unknown' in selection ? selection.unknown : selection.from;
  };

  it('picks the override naming the account', () => expect(from({ account: A })).toBe('overrides[0]'));
  it('picks the override naming the OU', () => expect(from({ account: C.replace('3', '4'), ou: OU })).toBe('overrides[1]'));
  it('takes the first match when several name the account', () => expect(from({ account: A, ou: OU })).toBe('overrides[0]'));
  it('matches an account listed beside OUs even when the OU is unknown', () => expect(from({ account: B })).toBe('overrides[1]'));
  it('falls back to the top level', () => expect(from({ account: '999999999999', ou: 'ou-ab12-00000000' })).toBe('the mapping'));
  it('reaches a later override past an OU-keyed one when the OU is known', () => expect(from({ account: C, ou: 'r-ab12' })).toBe('overrides[2]'));
  it('will not guess when an OU-keyed override comes first and the OU is unknown', () =>
    expect(from({ account: C })).toBe(
      `account ${C}: its OU is not known here and overrides[1] is chosen by OU; the organization sweep, which knows it, manages it`,
    ));
  it('will not guess without a target when there are overrides', () => expect(from()).toBe('the mapping has overrides and the account is not known here'));
  it('needs no target without overrides', () => {
    expect(selectRules(parseMapping('version: 1\nrules: []'))).toMatchObject({ from: 'the mapping' });
  });
});

describe('decide with a target', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const web = running({ app: 'web' });

  it('attaches the override`s profile in its account and names the override`s rule', () => {
    const decision = decide(web, mapping, now, { account: A });
    expect(decision.action).toEqual({ kind: 'associate', to: 'PaymentsWebProfile' });
    expect(decision.rule).toBe('overrides[0]/web');
    expect(decision.reason).toBe('no profile; rule overrides[0]/web wants PaymentsWebProfile');
  });

  it('attaches the top-level profile elsewhere', () => {
    expect(decide(web, mapping, now, { account: '999999999999', ou: 'r-ab12' }).action).toEqual({ kind: 'associate', to: 'WebProfile' });
  });

  it('keeps the top-level default when the override gives none', () => {
    const decision = decide(running({ app: 'db' }), mapping, now, { account: A });
    expect([decision.action, decision.rule]).toEqual([{ kind: 'associate', to: 'BaselineProfile' }, 'default']);
  });

  it('uses the override`s own default when it gives one', () => {
    const decision = decide(running({ app: 'db' }), mapping, now, { account: '444444444444', ou: OU });
    expect([decision.action, decision.rule]).toEqual([{ kind: 'noop' }, 'default']);
  });

  it('carries an override rule`s IMDSv2 requirement', () => {
    const decision = decide(web, mapping, now, { account: B });
    expect([decision.action, decision.enforceImdsv2]).toEqual([{ kind: 'associate', to: 'LabProfile' }, true]);
  });

  it('leaves the instance alone, saying why, when the OU decides and is unknown', () => {
    const decision = decide(web, mapping, now, { account: C });
    expect(decision.action).toEqual({ kind: 'skip', why: 'unmanaged' });
    expect(decision.reason).toMatch(/its OU is not known here and overrides\[1\] is chosen by OU/);
  });

  it('is unchanged without overrides, whatever the target', () => {
    const plain = parseMapping('version: 1\nrules:\n  - { name: web, match: { tags: { app: web } }, profile: WebProfile }');
    expect(decide(web, plain, now, { account: A })).toEqual(decide(web, plain, now));
  });
});

describe('the IAM policies cover what overrides can attach or detach', () => {
  const refs = { topicArn: 't', topicKeyArn: 'k', dlqArn: 'q' };
  const only = parseMapping(
    `version: 1\nonWrongProfile: report\nrules:\n  - { name: w, match: { tags: { app: w } }, profile: WebProfile }\noverrides:\n  - accounts: ["${A}"]\n    rules: [{ name: p, match: { tags: { app: p } }, profile: OnlyInOverride, imdsv2: required }]\nroles: { OnlyInOverride: only-override-role }`,
  );
  const resources = (statements: Statement[], sid: string) => JSON.stringify(statements.find((s) => s.Sid === sid) ?? null);

  it('lists override profiles among the mapped profiles', () => {
    expect(mappedProfiles(only)).toEqual(['WebProfile', 'OnlyInOverride']);
  });

  for (const [who, statements] of [
    ['the function role', remediateStatements(only, refs)],
    ['the member role', memberStatements(only)],
  ] as const) {
    it(`grants ${who} ec2:NewInstanceProfile and iam:PassRole for a profile only an override uses`, () => {
      const attach = resources(statements, 'AttachOnlyMappedProfiles');
      expect(attach).toContain('instance-profile/OnlyInOverride');
      expect(attach).toContain('ec2:NewInstanceProfile');
      expect(resources(statements, 'PassOnlyMappedRolesToEc2')).toContain('role/only-override-role');
      expect(statements.some((s) => s.Sid === 'RequireImdsv2')).toBe(true);
    });
  }

  it('grants detaching when only an override strips profiles', () => {
    const top = `version: 1\nonWrongProfile: report\nrules:\n  - { name: w, match: { tags: { app: w } }, profile: WebProfile }\n`;
    expect(canDetach(parseMapping(top))).toBe(false);
    const stripping = parseMapping(`${top}overrides:\n  - { ous: [${OU}], rules: [], default: none }`);
    expect(canDetach(stripping)).toBe(true);
    expect(memberStatements(stripping).some((s) => s.Sid === 'DetachProfiles')).toBe(true);
  });
});
