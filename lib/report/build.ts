import { randomUUID } from 'node:crypto';
import { countOutcomes, type InstanceResult, type Outcome } from '../result.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportOutcome, type Trigger } from './schema.js';

export interface ReportInput {
  account: string;
  accountName?: string | undefined;
  ou?: string | undefined;
  region: string;
  dryRun: boolean;
  trigger: Trigger;
  results: readonly InstanceResult[];
  rejected?: string | undefined;
  incomplete?: string | undefined;
  now?: Date;
  reportId?: string;
}

/** The whole report, as one document (part 1 of 1); lib/report/parts.ts splits it for SNS. */
export function buildReport(input: ReportInput): Report {
  const counts = countOutcomes(input.results);
  return {
    kind: 'profile-guard.report',
    schemaVersion: REPORT_SCHEMA_VERSION,
    reportId: input.reportId ?? randomUUID(),
    generatedAt: (input.now ?? new Date()).toISOString(),
    account: input.account,
    ...(input.accountName ? { accountName: input.accountName } : {}),
    ...(input.ou ? { ou: input.ou } : {}),
    region: input.region,
    dryRun: input.dryRun,
    trigger: input.trigger,
    outcome: input.rejected || input.incomplete ? 'failed' : overallOutcome(counts),
    counts,
    part: { index: 1, count: 1 },
    ...(input.rejected ? { rejected: input.rejected } : {}),
    ...(input.incomplete ? { incomplete: input.incomplete } : {}),
    results: [...input.results],
  };
}

/**
 * Worst first: a failure outranks a change, a change outranks drift. Deferred instances are drift
 * still in place (a change was needed and not made yet), so they are reported even though a
 * retry or the sweep will make it. Waiting instances are neither: their `running` event finishes
 * them and reports then, so on their own they make no news ('none').
 */
function overallOutcome(counts: Record<Outcome, number>): ReportOutcome {
  if (counts.failed > 0) return 'failed';
  if (counts.changed > 0 || counts.planned > 0) return 'changed';
  if (counts.drift > 0 || counts.deferred > 0) return 'drift';
  return 'none';
}

/**
 * Order for the human summaries: what needs a human first (failures, then drift nobody will fix
 * on their own), then what is not right yet but will be (deferred, waiting), then what was done.
 */
const IMPORTANCE: Record<Outcome, number> = { failed: 0, drift: 1, deferred: 2, waiting: 3, changed: 4, planned: 4, unchanged: 5, skipped: 6 };

export function byImportance(a: InstanceResult, b: InstanceResult): number {
  return IMPORTANCE[a.outcome] - IMPORTANCE[b.outcome];
}

/** The results most important first (stable: equal outcomes keep the report's order). */
export function mostImportantFirst(results: readonly InstanceResult[]): InstanceResult[] {
  return [...results].sort(byImportance);
}
