import { randomUUID } from 'node:crypto';
import { type InstanceResult, type Outcome, countOutcomes } from '../result.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportOutcome, type Trigger } from './schema.js';

export interface ReportInput {
  account: string;
  region: string;
  dryRun: boolean;
  trigger: Trigger;
  results: readonly InstanceResult[];
  rejected?: string | undefined;
  incomplete?: string | undefined;
  now?: Date;
  reportId?: string;
}

export function buildReport(input: ReportInput): Report {
  const counts = countOutcomes(input.results);
  return {
    kind: 'profile-guard.report',
    schemaVersion: REPORT_SCHEMA_VERSION,
    reportId: input.reportId ?? randomUUID(),
    generatedAt: (input.now ?? new Date()).toISOString(),
    account: input.account,
    region: input.region,
    dryRun: input.dryRun,
    trigger: input.trigger,
    outcome: input.rejected || input.incomplete ? 'failed' : overallOutcome(counts),
    counts,
    ...(input.rejected ? { rejected: input.rejected } : {}),
    ...(input.incomplete ? { incomplete: input.incomplete } : {}),
    results: [...input.results],
  };
}

/** Worst first: a failure outranks a change, a change outranks drift. A capped change is drift left in place. */
function overallOutcome(counts: Record<Outcome, number>): ReportOutcome {
  if (counts.failed > 0) return 'failed';
  if (counts.changed > 0 || counts.planned > 0) return 'changed';
  if (counts.drift > 0 || counts.deferred > 0) return 'drift';
  return 'none';
}

/** Order for display and for truncation: what needs a human first. */
const IMPORTANCE: Record<Outcome, number> = { failed: 0, deferred: 1, drift: 2, waiting: 2, changed: 3, planned: 3, unchanged: 4, skipped: 5 };

export function byImportance(a: InstanceResult, b: InstanceResult): number {
  return IMPORTANCE[a.outcome] - IMPORTANCE[b.outcome];
}

/** The same report keeping only the `keep` most important results. */
export function truncateReport(report: Report, keep: number): Report {
  if (keep >= report.results.length) return report;
  const results = [...report.results].sort(byImportance).slice(0, keep);
  return { ...report, results, omittedResults: (report.omittedResults ?? 0) + report.results.length - keep };
}
