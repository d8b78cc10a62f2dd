import { type InstanceResult, OUTCOMES, type Outcome } from './vocabulary.js';

// The vocabulary (outcomes, result fields) is stated once in lib/vocabulary.ts; these re-exports keep the old import path.
export { type InstanceResult, OUTCOMES, type Outcome } from './vocabulary.js';

/** One count per outcome, zeros included, so a consumer never has to ask whether a key is missing. */
export function countOutcomes(results: readonly InstanceResult[]): Record<Outcome, number> {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const r of results) counts[r.outcome]++;
  return counts;
}

/** What a retry of the same event would finish: a retryable failure, or a change deferred past the cap. */
export function isUnfinished(result: Pick<InstanceResult, 'outcome' | 'error'>): boolean {
  return (result.outcome === 'failed' && result.error?.retryable === true) || result.outcome === 'deferred';
}
