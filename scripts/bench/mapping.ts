/**
 * Mapping robustness figures: glob matching on attacker-shaped tag values, the lint on a hostile
 * mapping, and how parseMapping fails on fuzzed input. Wired into scripts/bench.ts by the lead;
 * alone: npx tsx -e "import('./scripts/bench/mapping.ts').then((m) => m.benchMapping())"
 */
import fc from 'fast-check';
import { MappingInvalidError } from '../../lib/errors.js';
import { parseMapping, UNEXPECTED_PROBLEM } from '../../lib/mapping/load.js';
import { globMatches } from '../../lib/mapping/match.js';
import { fuzzedMappingSource, hostileGlob } from '../../tests/unit/mapping-arbitraries.js';

const ms = (n: number) => `${n.toFixed(3)} ms`;

function timeEach(runs: number, work: () => unknown): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

function globTable(): void {
  const value = 'a'.repeat(256);
  const mixed = 'ab'.repeat(128);
  const cases: [string, string, string][] = [
    ['*a*a*b (0.8 s as a RegExp)', '*a*a*b', value],
    ['*a*a*a*a*a*b (>10 s as a RegExp)', '*a*a*a*a*a*b', value],
    ['(*a)x60 *b', `${'*a'.repeat(60)}*b`, value],
    ['(*ab)x40 *c', `${'*ab'.repeat(40)}*c`, mixed],
    ['* then 255 ?', `*${'?'.repeat(255)}`, value],
    ['a 256-character literal', value, value],
  ];
  console.log('\n## Glob matching on 256-character tag values (goal: worst < 5 ms)');
  console.log('| pattern | result | median | worst of 200 |');
  console.log('|---|---|---|---|');
  let worst = 0;
  for (const [label, pattern, subject] of cases) {
    timeEach(50, () => globMatches(pattern, subject)); // warm up: the figure is the algorithm, not the JIT
    const times = timeEach(200, () => globMatches(pattern, subject));
    worst = Math.max(worst, times[times.length - 1] as number);
    console.log(`| ${label} | ${globMatches(pattern, subject)} | ${ms(times[100] as number)} | ${ms(times[times.length - 1] as number)} |`);
  }
  console.log(`| **worst overall** | | | **${ms(worst)}** |`);
}

function lintTable(): void {
  const hostile = Array.from({ length: 300 }, (_, i) => `  - { name: r${i}, match: { tags: { k: "${hostileGlob(i)}" } }, profile: P }`);
  const env = ['prod', 'dev', 'stage'];
  const realistic = Array.from(
    { length: 500 },
    (_, i) => `  - { name: r${i}, match: { tags: { app: "svc-${i}-*", env: "${env[i % 3]}*" } }, profile: P${i % 20} }`,
  );
  const flowKeys = `{${Array.from({ length: 30_000 }, (_, i) => `${i}: 1`).join(',')}}`;
  console.log('\n## Validating whole mappings');
  console.log('| mapping | outcome | time |');
  console.log('|---|---|---|');
  for (const [label, source] of [
    ['500 realistic rules (2 globs each)', `version: 1\nrules:\n${realistic.join('\n')}`],
    ['300 hostile rules (81-character globs, same ends, every pair compared in full)', `version: 1\nrules:\n${hostile.join('\n')}`],
    ['one flow map of 30,000 keys (14 s in the yaml package`s own duplicate check)', flowKeys],
    ['100,000 nested [ (aborted the process)', '['.repeat(100_000)],
  ] as const) {
    const start = performance.now();
    let outcome = 'valid';
    try {
      parseMapping(source, 'bench.yaml');
    } catch (error) {
      outcome = error instanceof MappingInvalidError ? `refused (${error.problems.length} problems)` : `CRASH ${(error as Error).name}`;
    }
    console.log(`| ${label} | ${outcome} | ${(performance.now() - start).toFixed(0)} ms |`);
  }
}

function fuzzTable(): void {
  const sources = fc.sample(fuzzedMappingSource, { numRuns: 1000, seed: 20_251_128 });
  let accepted = 0;
  let typed = 0;
  let untyped = 0;
  const times: number[] = [];
  for (const source of sources) {
    const start = performance.now();
    try {
      parseMapping(source, 'fuzz.yaml');
      accepted++;
    } catch (error) {
      const bug = !(error instanceof MappingInvalidError) || error.problems.some((p) => p.includes(UNEXPECTED_PROBLEM));
      if (bug) untyped++;
      else typed++;
    }
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log('\n## parseMapping on 1,000 fuzzed mappings (random, alias bombs, mutated real files; goal: 0 non-typed errors)');
  console.log('| accepted | MappingInvalidError | non-typed errors | median | worst |');
  console.log('|---|---|---|---|---|');
  console.log(`| ${accepted} | ${typed} | **${untyped}** | ${ms(times[500] as number)} | ${ms(times[times.length - 1] as number)} |`);
}

export async function benchMapping(): Promise<void> {
  globTable();
  lintTable();
  fuzzTable();
}
