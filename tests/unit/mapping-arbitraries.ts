/**
 * fast-check generators for mappings and instance facts, shared by the fuzz and property tests
 * and by scripts/bench/mapping.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { type Mapping, mappingSchema } from '../../lib/mapping/schema.js';
import type { AssociationState, CurrentAssociation, InstanceFacts, InstanceState } from '../../lib/model.js';

/** Keys a hostile or careless author might write; the first ones are what JavaScript objects trip over. */
const KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'prototype',
  'version',
  'rules',
  'name',
  'match',
  'tags',
  'vpc',
  'subnet',
  'profile',
  'default',
  'roles',
  'optOutTag',
  'onWrongProfile',
  'imdsv2',
  'aws:autoscaling:groupName',
  '<<',
  '',
  '1',
];

/** Scalars as they appear in YAML text, including the ones YAML gives a meaning to. */
const SCALARS = [
  ...['1', '2', 'none', 'P', 'web-*', '"*"', '?', 'true', 'null', '~', '""', "'x'", 'replace', 'report', 'required', 'vpc-0a'],
  ...['!!binary aGk=', '!foo x', '.inf', '0x1F', '2001-12-14', '"\\u0000"', '🚀'],
];

/** A YAML value as text, flow style: scalars, lists, maps, with anchors and aliases (some undefined). */
const yamlValue: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...SCALARS),
    fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
    fc.constantFrom('*a', '*b', '*undefined'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(', ')}]`),
    fc
      .array(fc.tuple(fc.constantFrom(...KEYS), tie('value')), { maxLength: 4 })
      .map((pairs) => `{ ${pairs.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')} }`),
    fc.tuple(fc.constantFrom('a', 'b'), tie('value')).map(([anchor, v]) => `&${anchor} ${v}`),
  ),
})).value;

/** A document: a few top-level keys, mostly the real ones, with random values. */
const randomDocument = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('version', 'rules', 'default', 'roles', 'optOutTag'), fc.constantFrom(...KEYS)), yamlValue), { maxLength: 6 })
  .map((pairs) => pairs.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join('\n'));

/** A valid-looking rule list with random keys, patterns and aliases mixed in. */
const ruleDocument = fc
  .array(
    fc.record({
      name: fc.constantFrom('a', 'b', 'web', 'constructor', '__proto__', 'x y'),
      key: fc.constantFrom(...KEYS),
      pattern: fc.string({ unit: fc.constantFrom('a', '*', '?', '-', '"'), maxLength: 6 }),
      profile: fc.constantFrom('P', 'Q', 'none', 'toString', 'bad name'),
      anchor: fc.boolean(),
    }),
    { maxLength: 5 },
  )
  .map((rules) => {
    const lines = rules.map((r, i) => {
      const tags = i > 0 && r.anchor ? '*t' : `${i === 0 && r.anchor ? '&t ' : ''}{ ${JSON.stringify(r.key)}: ${JSON.stringify(r.pattern)} }`;
      return `  - { name: ${JSON.stringify(r.name)}, match: { tags: ${tags} }, profile: ${JSON.stringify(r.profile)} }`;
    });
    return `version: 1\nrules:\n${lines.join('\n')}\ndefault: ${rules.length % 2 ? 'none' : 'P'}`;
  });

/** Billion laughs, of random width and depth. */
const aliasBomb = fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 })).map(([width, depth]) => {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < depth; i++)
    lines.push(
      `l${i}: &l${i} [${Array(width)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `version: 1\nrules: []\n${lines.join('\n')}`;
});

/** Snippets that change YAML structure when dropped into a valid file. */
const SNIPPETS = [
  ...['&a ', '*a', '*zz', '&t *t', '[', ']', '{', '}', ': ', '- ', ',', '? ', '<<: ', '__proto__: ', 'constructor: '],
  ...['\n  ', '\n', '\t', '"', "'", '#', '|\n', '>-\n', '!!binary ', '!!set ', '!foo ', '%YAML 1.1\n', '---\n'],
];

function seedFiles(): string[] {
  const dir = 'tests/fixtures/mappings';
  return ['mapping.yaml', ...readdirSync(dir).map((f) => `${dir}/${f}`)].map((f) => readFileSync(f, 'utf8'));
}

const mutation = fc.record({ at: fc.nat(), cut: fc.nat({ max: 12 }), insert: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 4 })) });

/** A real mapping (mapping.yaml or a fixture) with a few random cuts and insertions. */
const mutatedFile = fc.tuple(fc.constantFrom(...seedFiles()), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([seed, mutations]) =>
  mutations.reduce((text, m) => {
    const at = m.at % (text.length + 1);
    return text.slice(0, at) + m.insert + text.slice(at + m.cut);
  }, seed),
);

/** Mapping source text, from plausible to hostile. */
export const fuzzedMappingSource: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: mutatedFile, weight: 4 },
  { arbitrary: randomDocument, weight: 3 },
  { arbitrary: ruleDocument, weight: 3 },
  { arbitrary: aliasBomb, weight: 1 },
);

/**
 * `*a*b*…*`: the 40 binary digits of i spelled with a and b, each between stars. No two include
 * each other, and all share their literal ends, so the lint must pair every two of them in full.
 */
export function hostileGlob(i: number): string {
  return `*${[...i.toString(2).padStart(40, '0')].map((d) => (d === '0' ? 'a' : 'b')).join('*')}*`;
}

// ---- references and valid mappings and facts for the property tests ----

/** Glob matching as defined, executed directly: memoised recursion over code points. Slow, obviously right. */
export function referenceGlob(pattern: string, value: string): boolean {
  const p = Array.from(pattern);
  const v = Array.from(value);
  const memo = new Map<number, boolean>();
  const at = (i: number, j: number): boolean => {
    const key = i * (v.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === p.length) result = j === v.length;
    else if (p[i] === '*') result = at(i + 1, j) || (j < v.length && at(i, j + 1));
    else result = j < v.length && (p[i] === '?' || p[i] === v[j]) && at(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

export const PROFILES = ['WebProfile', 'AdminProfile', 'BatchProfile'] as const;
const TAG_KEYS = ['app', 'team', 'constructor', 'toString', 'aws:autoscaling:groupName'];
const TAG_VALUES = ['web-1', 'web-2', 'db', '', 'true', 'x'];
const TAG_PATTERNS = ['web-*', 'web-?', '*', 'db', 'x', '?*', 'true'];

/** Any mapping the schema accepts (the lint's shadowing check is not needed for decide). */
export const validMapping: fc.Arbitrary<Mapping> = fc
  .record({
    rules: fc.array(
      fc.record({
        tags: fc.dictionary(fc.constantFrom(...TAG_KEYS), fc.constantFrom(...TAG_PATTERNS), { minKeys: 1, maxKeys: 2 }),
        profile: fc.constantFrom(...PROFILES, 'none'),
        imdsv2: fc.boolean(),
      }),
      { maxLength: 4 },
    ),
    default: fc.option(fc.constantFrom(...PROFILES, 'none'), { nil: undefined }),
    onWrongProfile: fc.constantFrom('replace', 'report'),
    optOutTag: fc.constantFrom('profile-guard:ignore', 'constructor'),
  })
  .map((raw) =>
    mappingSchema.parse({
      version: 1,
      optOutTag: raw.optOutTag,
      onWrongProfile: raw.onWrongProfile,
      rules: raw.rules.map((r, i) => ({ name: `r${i}`, match: { tags: r.tags }, profile: r.profile, ...(r.imdsv2 ? { imdsv2: 'required' } : {}) })),
      ...(raw.default !== undefined ? { default: raw.default } : {}),
    }),
  );

const STATES: InstanceState[] = ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped', 'not-found'];
const ASSOCIATION_STATES: AssociationState[] = ['associating', 'associated', 'disassociating'];

/** Usually one of the states where decide acts, so the interesting rows are well covered. */
const mostly = <T>(usual: T[], all: T[]): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: fc.constantFrom(...usual), weight: 3 }, { arbitrary: fc.constantFrom(...all), weight: 2 });

const association: fc.Arbitrary<CurrentAssociation> = fc
  .record({
    name: fc.constantFrom(...PROFILES, 'webprofile', 'OtherProfile'),
    state: mostly<AssociationState>(['associated'], ASSOCIATION_STATES),
    path: fc.constantFrom('', 'team/'),
  })
  .map(({ name, state, path }) => ({
    associationId: 'iip-assoc-0123456789abcdef0',
    profileArn: `arn:aws:iam::123456789012:instance-profile/${path}${name}`,
    profileName: name,
    state,
  }));

/** Any instance profile-guard could read: every state, tags as a Map (prototype-named keys included), any association. */
export const instanceFacts: fc.Arbitrary<InstanceFacts> = fc
  .record({
    state: mostly<InstanceState>(['running', 'stopped'], STATES),
    tags: fc.array(fc.tuple(fc.constantFrom(...TAG_KEYS, 'profile-guard:ignore', '__proto__', 'hasOwnProperty'), fc.constantFrom(...TAG_VALUES)), {
      maxLength: 4,
    }),
    association: fc.option(association, { nil: undefined }),
    httpTokens: fc.constantFrom('optional', 'required', undefined),
  })
  .map(({ state, tags, association, httpTokens }) => ({ instanceId: 'i-0123456789abcdef0', state, tags: new Map(tags), association, httpTokens }));
