import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MappingInvalidError } from '../../lib/errors.js';
import { globMatches, normalizeGlob } from '../../lib/mapping/glob.js';
import { globIncludes, globInclusion } from '../../lib/mapping/glob-inclusion.js';
import { parseMapping } from '../../lib/mapping/load.js';
import { hostileGlob } from './mapping-arbitraries.js';

const pattern = (maxLength: number) => fc.string({ unit: fc.constantFrom('a', 'b', '*', '?'), maxLength });
const value = (maxLength: number) => fc.string({ unit: fc.constantFrom('a', 'b'), maxLength });

/**
 * Every value `inner` matches, with each `*` filled by up to `fill` characters and each `?` by
 * one, over the patterns' letters plus x, a letter neither uses (real tag values have many more).
 */
function instances(inner: string, fill: number): Set<string> {
  const letters = ['a', 'b', 'x'];
  const fills = [''];
  for (let length = 1, frontier = ['']; length <= fill; length++) {
    frontier = frontier.flatMap((s) => letters.map((c) => s + c));
    fills.push(...frontier);
  }
  let values = [''];
  for (const token of Array.from(normalizeGlob(inner))) {
    const options = token === '*' ? fills : token === '?' ? letters : [token];
    values = values.flatMap((prefix) => options.map((o) => prefix + o));
  }
  return new Set(values);
}

describe('globInclusion: does every value the inner glob matches also match the outer one?', () => {
  it.each([
    ['prod*', 'prod-eu-*', true],
    ['prod-eu-*', 'prod*', false],
    ['*', 'anything-*-?', true],
    ['web-*', 'web-front', true],
    ['web-?', 'web-front', false],
    ['?*', '*a', true], // a value ending in "a" has at least one character: no position-wise pairing shows it
    ['*?', '?*', true],
    ['*a*', 'a*', true],
    ['a*', '*a', false],
    ['*ab*', 'a*b', false], // "axb"
    ['*a*', '*b*', false],
    ['?', '*', false],
    ['**', '', true],
  ])('%j includes %j: %s', (outer, inner, expected) => {
    expect(globIncludes(outer, inner)).toBe(expected);
  });

  it('proves each "no" with a value the inner glob matches and the outer does not', () => {
    const answer = globInclusion('prod-eu-*', 'prod*');
    expect(answer.included).toBe(false);
    const { witness } = answer as { witness: string };
    expect(globMatches('prod*', witness) && !globMatches('prod-eu-*', witness)).toBe(true);
  });

  it('agrees with brute force over a small alphabet and bounded lengths', () => {
    fc.assert(
      fc.property(pattern(5), pattern(5), (outer, inner) => {
        const answer = globInclusion(outer, inner);
        expect(answer.included).not.toBe('unknown');
        const counterexample = [...instances(inner, 3)].find((v) => !globMatches(outer, v));
        if (answer.included === false) {
          // A "no" carries its proof, checked with the (separately property-tested) matcher.
          expect(globMatches(inner, answer.witness)).toBe(true);
          expect(globMatches(outer, answer.witness)).toBe(false);
        } else {
          expect(counterexample).toBeUndefined();
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('agrees with the matcher when the inner pattern is a literal value', () => {
    fc.assert(
      fc.property(pattern(6), value(6), (outer, literal) => {
        expect(globIncludes(outer, literal)).toBe(globMatches(outer, literal));
      }),
      { numRuns: 1000 },
    );
  });

  it('answers "unknown" rather than work past its budget, and the lint then treats the rule as reachable', () => {
    const budget = { work: 10 };
    expect(globInclusion('*a*b*', '*a?b*', budget)).toEqual({ included: 'unknown' });
    expect(globIncludes('*a*b*', '*a?b*', { work: 10 })).toBe(false);
    expect(globIncludes('*a*b*', '*a?b*')).toBe(true);
  });
});

describe('normalizeGlob', () => {
  it('rewrites each wildcard run as ?s then at most one *, keeping the language', () => {
    expect(normalizeGlob('a*?*?b**')).toBe('a??*b*');
    fc.assert(
      fc.property(pattern(7), value(8), (p, v) => {
        expect(globMatches(normalizeGlob(p), v)).toBe(globMatches(p, v));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the lint finds a rule shadowed by a broader glob', () => {
  const problemsOf = (source: string): readonly string[] => {
    try {
      parseMapping(source, 'test.yaml');
      return [];
    } catch (error) {
      if (!(error instanceof MappingInvalidError)) throw error;
      return error.problems;
    }
  };

  it('refuses prod* before prod-eu-* on the same key', () => {
    const source =
      'version: 1\nrules:\n  - { name: prod, match: { tags: { env: "prod*" } }, profile: Prod }\n  - { name: prod-eu, match: { tags: { env: "prod-eu-*" } }, profile: ProdEu }';
    expect(problemsOf(source)).toEqual([expect.stringContaining('rule 1 "prod-eu": unreachable: rule 0 "prod"')]);
  });

  it('accepts the same two rules the other way round, and overlapping globs neither of which covers the other', () => {
    expect(
      problemsOf(
        'version: 1\nrules:\n  - { name: prod-eu, match: { tags: { env: "prod-eu-*" } }, profile: ProdEu }\n  - { name: prod, match: { tags: { env: "prod*" } }, profile: Prod }',
      ),
    ).toEqual([]);
    expect(
      problemsOf(
        'version: 1\nrules:\n  - { name: a, match: { tags: { env: "*-eu" } }, profile: A }\n  - { name: b, match: { tags: { env: "prod-*" } }, profile: B }',
      ),
    ).toEqual([]);
  });

  it('needs every tag of the earlier rule to cover the later one', () => {
    const source =
      'version: 1\nrules:\n  - { name: a, match: { tags: { env: "prod*", team: "*" } }, profile: A }\n  - { name: b, match: { tags: { env: "prod-?" } }, profile: B }';
    expect(problemsOf(source)).toEqual([]);
    const covered =
      'version: 1\nrules:\n  - { name: a, match: { tags: { env: "prod*", team: "*" } }, profile: A }\n  - { name: b, match: { tags: { env: "prod-?", team: "pay*" } }, profile: B }';
    expect(problemsOf(covered)).toEqual([expect.stringContaining('rule 1 "b": unreachable: rule 0 "a"')]);
  });

  it('finishes on a hostile mapping of many long overlapping globs (bounded work; timed in the bench)', () => {
    // Same literal ends and no pair included (distinct a/b sequences of one length), so every pair
    // needs the quadratic pairing: the shared budget runs out instead of validation taking minutes.
    const rules = Array.from({ length: 300 }, (_, i) => `  - { name: r${i}, match: { tags: { k: "${hostileGlob(i)}" } }, profile: P }`);
    expect(problemsOf(`version: 1\nrules:\n${rules.join('\n')}`)).toEqual([]);
  });
});
