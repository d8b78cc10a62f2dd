import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MappingInvalidError } from '../../lib/errors.js';
import { loadMappingFile, parseMapping, UNEXPECTED_PROBLEM } from '../../lib/mapping/load.js';
import { mappingProblems } from '../helpers/mapping.js';
import { fuzzedMappingSource } from './mapping-arbitraries.js';

const FILE = 'stages/hostile.yaml';

/** The problems parseMapping reports, after checking the error is the typed one and names the file. */
const problemsOf = (source: string) => mappingProblems(source, FILE);

const billionLaughs = [
  'version: 1',
  'rules: []',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
].join('\n');

describe('a hostile mapping is refused with a typed error naming the file, the problem and its place', () => {
  it.each([
    ['an undefined alias', 'version: 1\nrules: *nope', ['YAML, line 2, column 8: alias *nope refers to no anchor defined before it']],
    [
      'an alias used before its anchor',
      'version: 1\nrules:\n  - { name: a, match: { tags: *t }, profile: P }\n  - { name: b, match: { tags: &t { x: y } }, profile: Q }',
      ['YAML, line 3, column 31: alias *t refers to no anchor defined before it'],
    ],
    ['an alias inside its own anchor', 'version: 1\nrules: &r [ *r ]', ['YAML, line 2, column 13: alias *r refers to a node that contains it']],
    ['an alias bomb (billion laughs)', billionLaughs, ['YAML aliases expand to too much data (more than 100 alias uses, an alias bomb?): refused']],
    [
      'a top-level __proto__ key',
      'version: 1\n__proto__: { polluted: true }\nrules: []',
      ['YAML, line 2, column 1: key "__proto__" is not supported (JavaScript objects cannot hold it)'],
    ],
    [
      'a __proto__ tag key',
      'version: 1\nrules:\n  - name: sneaky\n    match:\n      tags: { __proto__: "*" }\n    profile: AdminProfile',
      ['YAML, line 5, column 15: key "__proto__" is not supported (JavaScript objects cannot hold it)'],
    ],
    ['a top-level constructor key', 'version: 1\nconstructor: 1\nrules: []', ['mapping: Unrecognized key: "constructor"']],
    ['an unknown YAML tag', 'version: !foo 1\nrules: []', ['YAML, line 1, column 10: Unresolved tag: !foo']],
    ['a list used as a key', 'version: 1\nrules: []\n? [a, b]\n: c', ['YAML, line 3, column 3: a key must be a plain word, not a list, a map or an alias']],
    [
      'keys equal once JavaScript sees them',
      'version: 1\nrules: []\nroles: { 1: a, "1": b }',
      ['YAML syntax, line 3, column 16: map keys must be unique: "1" is also at line 3, column 10'],
    ],
    ['flow nesting that would exhaust the parser`s stack', '['.repeat(100_000), ['YAML nesting, line 1, column 33: more than 32 nested [ ] or { }']],
    ['deep block nesting', Array.from({ length: 40 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'), ['YAML, line 32, column 32: more than 32 nested levels']],
    ['two documents', 'version: 1\nrules: []\n---\nversion: 1', [expect.stringMatching(/^YAML syntax, line 3, column 1: Source contains multiple documents/)]],
    ['an empty file', '', ['mapping: Invalid input: expected object, received null']],
    ['a YAML set where a list belongs', 'version: 1\nrules: !!set { a, b }', ['rules: Invalid input: expected array, received Set']],
    [
      'an empty tag key',
      'version: 1\nrules:\n  - { name: a, match: { tags: { "": x } }, profile: P }',
      ['rule 0 "a" match.tags."": tag key must not be empty'],
    ],
  ])('%s', (_name, source, expected) => {
    expect(problemsOf(source)).toEqual(expected);
  });

  it('keeps each problem short even when the file has a thousand unknown keys', () => {
    const source = `{${Array.from({ length: 1000 }, (_, i) => `k${i}: 1`).join(', ')}}`;
    for (const problem of problemsOf(source)) expect(problem.length).toBeLessThanOrEqual(301);
    const [longTag] = problemsOf(`version: !${'x'.repeat(100_000)} 1\nrules: []`);
    expect(longTag).toMatch(/^YAML, line 1, column 10: Unresolved tag: !xxx/);
    expect(longTag?.length).toBeLessThan(400);
  });

  it('still accepts anchors and aliases used within reason', () => {
    const mapping = parseMapping(`
version: 1
rules:
  - { name: web-vpc, match: { tags: &web { app: "web-*" }, vpc: [vpc-0a] }, profile: WebVpcProfile }
  - { name: web, match: { tags: *web }, profile: WebProfile }
`);
    expect(mapping.rules.map((r) => [r.name, [...(r.match.tags ?? [])]])).toEqual([
      ['web-vpc', [['app', 'web-*']]],
      ['web', [['app', 'web-*']]],
    ]);
  });

  it('refuses a file that cannot be read, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'profile-guard-mapping-'));
    expect(() => loadMappingFile(dir)).toThrow(MappingInvalidError);
    expect(() => loadMappingFile(dir)).toThrow(new RegExp(`^${dir}: invalid mapping:\\n {2}- cannot read the file`));
    const file = join(dir, 'bomb.yaml');
    writeFileSync(file, billionLaughs);
    expect(() => loadMappingFile(file)).toThrow(/bomb\.yaml: invalid mapping:\n {2}- YAML aliases expand to too much data/);
  });
});

describe('fuzzing parseMapping', () => {
  it('returns a mapping or throws MappingInvalidError, never anything else, on random and mutated YAML', () => {
    fc.assert(
      fc.property(fuzzedMappingSource, (source) => {
        try {
          parseMapping(source, FILE);
        } catch (error) {
          if (!(error instanceof MappingInvalidError)) throw error;
          expect(error.file).toBe(FILE);
          expect(error.problems.length).toBeGreaterThan(0);
          // The catch-all that keeps the Lambda alive must not be what handled it: that would be a bug.
          for (const problem of error.problems) expect(problem).not.toContain(UNEXPECTED_PROBLEM);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
