import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatches } from '../../lib/mapping/match.js';
import { referenceGlob } from './mapping-arbitraries.js';

const patternOver = (alphabet: string[], maxLength: number) => fc.string({ unit: fc.constantFrom(...alphabet, '*', '?'), maxLength });
const valueOver = (alphabet: string[], maxLength: number) => fc.string({ unit: fc.constantFrom(...alphabet), maxLength });

describe('globMatches', () => {
  it.each([
    ['web-*', 'web-frontend', true],
    ['web-*', 'web-', true],
    ['web-*', 'my-web-frontend', false],
    ['*', '', true],
    ['v?', 'v1', true],
    ['v?', 'v', false],
    ['v?', 'v12', false],
    ['a.b*', 'a.bc', true],
    ['a.b*', 'axbc', false],
    ['(x|y)', '(x|y)', true],
    ['(x|y)', 'x', false],
    ['[ab]', 'a', false],
    ['\\*', '\\anything', true],
    ['line*', 'line1\nline2', true],
    ['', '', true],
    ['', 'x', false],
    ['exact', 'exact', true],
  ])('%j against %j is %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });

  it('counts code points: ? is one emoji or one CJK character, not one UTF-16 unit', () => {
    expect(globMatches('team-?', 'team-🚀')).toBe(true);
    expect(globMatches('??', '日本')).toBe(true);
    expect(globMatches('???', '🚀')).toBe(false);
    expect(globMatches('*🚀', 'go🚀')).toBe(true);
  });

  it('agrees with the reference definition on random patterns and values over a small alphabet', () => {
    fc.assert(
      fc.property(patternOver(['a', 'b'], 8), valueOver(['a', 'b'], 10), (pattern, value) => {
        expect(globMatches(pattern, value)).toBe(referenceGlob(pattern, value));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the reference when values contain astral characters', () => {
    fc.assert(
      fc.property(patternOver(['a', '🚀'], 6), valueOver(['a', '🚀', 'b'], 8), (pattern, value) => {
        expect(globMatches(pattern, value)).toBe(referenceGlob(pattern, value));
      }),
      { numRuns: 1000 },
    );
  });

  it('answers pathological patterns on 256-character attacker values (exponential for a backtracking regex)', () => {
    const value = 'a'.repeat(256);
    // Each of these took from 0.8 s to over 10 s with the RegExp translation; timing lives in the bench.
    expect(globMatches('*a*a*b', value)).toBe(false);
    expect(globMatches('*a*a*a*a*a*b', value)).toBe(false);
    expect(globMatches(`${'*a'.repeat(60)}*b`, value)).toBe(false);
    expect(globMatches(`${'*a'.repeat(60)}*`, value)).toBe(true);
    expect(globMatches(`*${'?'.repeat(255)}`, value)).toBe(true);
    expect(globMatches(`${'a*'.repeat(100)}b`, `${value}b`)).toBe(true);
    expect(globMatches(`${'*a'.repeat(60)}*b`, `${value}b`)).toBe(true);
  });
});
