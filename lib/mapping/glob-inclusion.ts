import { codePoints, globMatches, isGlob, matchCodePoints, normalizeGlob } from './glob.js';

/**
 * Glob language inclusion: does every value `inner` matches also match `outer`? The lint uses it
 * to find a rule an earlier rule makes unreachable (`prod*` before `prod-eu-*`).
 *
 * Exact answers need care: `?*` includes `*a` (a value ending in "a" has at least one character)
 * although no position-by-position pairing of the two patterns shows it, and for globs with both
 * `*` and `?` the problem is coNP-complete in general. So:
 *  1. a polynomial pairing (`pairs`) that is sound: when it says yes, the answer is yes;
 *  2. otherwise an exact search for a counterexample value over the product of the two patterns'
 *     automata, bounded by a work budget; a counterexample is returned as proof;
 *  3. if the budget runs out first the answer is "unknown", which the lint treats as "not
 *     covered" (it may miss a shadowed rule in a pathological mapping, never invent one).
 */
export type Inclusion = { included: true } | { included: false; witness: string } | { included: 'unknown' };

/**
 * Work allowed to the comparisons of one lint run, so a pathological mapping cannot make
 * validation hang. The unit is one cell of the pairing table (a few nanoseconds); a search node
 * costs SEARCH_NODE_COST. One comparison's search may use at most a tenth of the whole.
 */
export interface InclusionBudget {
  work: number;
  /** Normalized code points per pattern: a lint run compares each pattern many times. */
  readonly compiled?: Map<string, readonly string[]>;
}

export const LINT_INCLUSION_WORK = 20_000_000;
const MAX_SEARCH_WORK = LINT_INCLUSION_WORK / 10;
const SEARCH_NODE_COST = 64;

export function newInclusionBudget(): InclusionBudget {
  return { work: LINT_INCLUSION_WORK, compiled: new Map() };
}

/** The lint's question: yes only when proven (so the cheapest counterexamples are not spelled out). */
export function globIncludes(outer: string, inner: string, budget = newInclusionBudget()): boolean {
  return compare(outer, inner, budget, false).included === true;
}

export function globInclusion(outer: string, inner: string, budget = newInclusionBudget()): Inclusion {
  return compare(outer, inner, budget, true);
}

function compare(outer: string, inner: string, budget: InclusionBudget, withWitness: boolean): Inclusion {
  // Linear first: most pairs of rules in a real mapping differ in their literal ends.
  if (budget.work < outer.length + inner.length) return { included: 'unknown' };
  budget.work -= outer.length + inner.length;
  if (!isGlob(inner)) {
    // A literal's language is itself: the matcher answers, in at most |inner|·(longest literal run of outer + 2) steps.
    const steps = inner.length * (longestLiteralRun(outer) + 2);
    if (budget.work < steps) return { included: 'unknown' };
    budget.work -= steps;
    return globMatches(outer, inner) ? { included: true } : { included: false, witness: inner };
  }
  if (!literalEndsAgree(outer, inner)) return { included: false, witness: withWitness ? fillWildcards(inner, unusedCharacter([...outer], [...inner]), 1) : '' };
  // The pairing, the matcher and the probes each cost at most |a|·|b| (normalizing only shortens).
  const cost = 4 * (outer.length + 1) * (inner.length + 1);
  if (budget.work < cost) return { included: 'unknown' };
  budget.work -= cost;
  const a = compile(outer, budget);
  const b = compile(inner, budget);
  if (pairs(a, b)) return { included: true };
  const probe = quickCounterexample(a, b);
  if (probe !== undefined) return { included: false, witness: probe };
  const limit = { work: Math.min(budget.work, MAX_SEARCH_WORK) };
  const granted = limit.work;
  const answer = searchCounterexample(a, b, limit);
  budget.work -= granted - limit.work;
  return answer;
}

/**
 * Every value of a glob with a wildcard starts with its text before the first wildcard and ends
 * with its text after the last; `outer` can include `inner` only if its own literal ends are a
 * prefix and a suffix of those (a literal `outer` cannot include a glob at all). When they are
 * not, filling each wildcard of `inner` with one character `outer` never uses breaks the
 * disagreeing end, which is the counterexample returned above.
 */
function literalEndsAgree(outer: string, inner: string): boolean {
  if (!isGlob(outer)) return false;
  return literalPrefix(inner).startsWith(literalPrefix(outer)) && literalSuffix(inner).endsWith(literalSuffix(outer));
}

/** Text before the first wildcard (of a pattern that has one). */
function literalPrefix(pattern: string): string {
  return pattern.slice(0, pattern.search(/[*?]/));
}

/** Text after the last wildcard (of a pattern that has one). */
function literalSuffix(pattern: string): string {
  return pattern.slice(Math.max(pattern.lastIndexOf('*'), pattern.lastIndexOf('?')) + 1);
}

function longestLiteralRun(pattern: string): number {
  let longest = 0;
  let run = 0;
  for (const c of pattern) {
    run = c === '*' || c === '?' ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return longest;
}

function fillWildcards(pattern: string, other: string, starLength: number): string {
  return Array.from(pattern, (t) => (t === '*' ? other.repeat(starLength) : t === '?' ? other : t)).join('');
}

function compile(pattern: string, budget: InclusionBudget): readonly string[] {
  let points = budget.compiled?.get(pattern);
  if (!points) {
    points = codePoints(normalizeGlob(pattern));
    budget.compiled?.set(pattern, points);
  }
  return points;
}

/**
 * Sound pairing, O(|a|·|b|): `a` covers `b` if b's symbols can be laid onto a's in order so that
 * each `*` of b falls in a `*` of a, each `?` of b in a `?` or `*`, each literal in the same
 * literal or a wildcard.
 */
function pairs(a: readonly string[], b: readonly string[]): boolean {
  // row[j]: a[i..] covers b[j..], computed for i from the end using the row below (next).
  let next = new Uint8Array(b.length + 1);
  next[b.length] = 1;
  for (let i = a.length - 1; i >= 0; i--) {
    const row = new Uint8Array(b.length + 1);
    const x = a[i];
    for (let j = b.length; j >= 0; j--) {
      const y = b[j];
      if (x === '*') row[j] = next[j] || (y !== undefined ? (row[j + 1] as number) : 0);
      else if (y === undefined) row[j] = 0;
      else if (x === '?') row[j] = y !== '*' ? (next[j + 1] as number) : 0;
      else row[j] = y === x ? (next[j + 1] as number) : 0;
    }
    next = row;
  }
  return next[0] === 1;
}

/**
 * Most non-inclusions show on a value of b's simplest shapes: every `*` empty, one character, or
 * longer than all of a; trying those first keeps the search for the hard cases.
 */
function quickCounterexample(a: readonly string[], b: readonly string[]): string | undefined {
  const other = unusedCharacter(a, b);
  const inner = b.join('');
  for (const starLength of [0, 1, a.length + 1]) {
    const value = fillWildcards(inner, other, starLength);
    if (!matchCodePoints(a, codePoints(value))) return value;
  }
  return undefined;
}

/** Stands for "a character neither pattern names"; replaced by a real one in the witness. */
const OTHER = '';

interface SearchNode {
  /** Position in `inner` (b). */
  at: number;
  /** Positions `outer` (a) may be at after the same prefix, closed under `*` matching nothing. */
  states: readonly number[];
  parent: SearchNode | undefined;
  symbol: string | undefined;
}

/**
 * Breadth-first over (position in b, set of positions in a): a value b matches but a does not is
 * a path to b's end where a's set holds no accepting position. Characters a does not name at the
 * current positions all behave alike, so the alphabet is a's literals plus one OTHER.
 */
function searchCounterexample(a: readonly string[], b: readonly string[], budget: InclusionBudget): Inclusion {
  const closure = (states: Iterable<number>): number[] => {
    const set = new Set(states);
    for (const s of set) if (a[s] === '*') set.add(s + 1); // Set iteration visits what is added
    return [...set].sort((x, y) => x - y);
  };
  const step = (states: readonly number[], symbol: string): number[] => {
    budget.work -= states.length;
    const next: number[] = [];
    for (const s of states) {
      const token = a[s];
      if (token === '*') next.push(s);
      else if (token === '?' || (token !== undefined && symbol !== OTHER && token === symbol)) next.push(s + 1);
    }
    return closure(next);
  };
  // Once a can finish on a trailing `*`, it accepts every continuation: no counterexample below.
  const acceptsAnyRest = (states: readonly number[]) => states.some((s) => a[s] === '*' && s + 1 === a.length);

  const seen = new Set<string>();
  const queue: SearchNode[] = [];
  const visit = (node: SearchNode) => {
    const key = `${node.at}|${node.states.join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push(node);
  };
  visit({ at: 0, states: closure([0]), parent: undefined, symbol: undefined });
  for (let head = 0; head < queue.length; head++) {
    budget.work -= SEARCH_NODE_COST;
    if (budget.work <= 0) return { included: 'unknown' };
    const node = queue[head] as SearchNode;
    if (acceptsAnyRest(node.states)) continue;
    // No position of a left: any way b can still finish is a counterexample.
    if (node.states.length === 0) return { included: false, witness: witness(node, b.slice(node.at), a, b) };
    if (node.at === b.length) {
      if (!node.states.includes(a.length)) return { included: false, witness: witness(node, [], a, b) };
      continue;
    }
    const token = b[node.at] as string;
    const wildcard = token === '*' || token === '?';
    const symbols = wildcard ? [...new Set(node.states.map((s) => a[s]).filter((t) => t !== undefined && t !== '*' && t !== '?')), OTHER] : [token];
    const nextAt = token === '*' ? node.at : node.at + 1;
    if (token === '*') visit({ at: node.at + 1, states: node.states, parent: node, symbol: undefined });
    for (const symbol of symbols) visit({ at: nextAt, states: step(node.states, symbol as string), parent: node, symbol: symbol as string });
  }
  return { included: true };
}

/** The value along the search path, then the shortest way to finish b; OTHER becomes a character neither pattern uses. */
function witness(node: SearchNode, rest: readonly string[], a: readonly string[], b: readonly string[]): string {
  const other = unusedCharacter(a, b);
  const symbols: string[] = [];
  for (let n: SearchNode | undefined = node; n; n = n.parent) if (n.symbol !== undefined) symbols.push(n.symbol);
  const finish = rest.filter((t) => t !== '*').map((t) => (t === '?' ? OTHER : t));
  return [...symbols.reverse(), ...finish].map((s) => (s === OTHER ? other : s)).join('');
}

/** 'x', or the next character neither pattern uses. */
function unusedCharacter(a: readonly string[], b: readonly string[]): string {
  const used = new Set([...a, ...b]);
  let code = 0x78;
  while (used.has(String.fromCodePoint(code))) code++;
  return String.fromCodePoint(code);
}
