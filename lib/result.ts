import type { ActionKind } from './decide.js';

/**
 * What happened to one instance:
 * changed   - profile (and/or IMDSv2) now matches the mapping
 * unchanged - it already did
 * skipped   - gone, opted out or unmanaged
 * drift     - wrong profile left in place because onWrongProfile is report
 * planned   - dry run: this change would be made
 * deferred  - a change was needed but this invocation had used its blast-radius cap (MAX_CHANGES);
 *             nothing was touched, and Lambda's retry of the event or the next sweep picks it up
 * waiting   - still pending after the launch wait; the instance's `running` state-change event
 *             triggers profile-guard again and finishes the job (not a failure)
 * failed    - see error; `error.retryable` says whether another attempt may succeed
 */
export type Outcome = 'changed' | 'unchanged' | 'skipped' | 'drift' | 'planned' | 'deferred' | 'waiting' | 'failed';

export interface InstanceResult {
  instanceId: string;
  name?: string | undefined;
  state?: string | undefined;
  action: ActionKind;
  from?: string | undefined;
  to?: string | undefined;
  rule?: string | undefined;
  imdsv2?: boolean | undefined;
  outcome: Outcome;
  reason: string;
  error?: { name: string; message: string; retryable: boolean } | undefined;
}

/** Every outcome, in the order counts are listed. */
export const OUTCOMES: readonly Outcome[] = ['changed', 'planned', 'failed', 'drift', 'deferred', 'waiting', 'unchanged', 'skipped'];

/** One count per outcome, zeros included, so a consumer never has to ask whether a key is missing. */
export function countOutcomes(results: readonly InstanceResult[]): Record<Outcome, number> {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const r of results) counts[r.outcome]++;
  return counts;
}
