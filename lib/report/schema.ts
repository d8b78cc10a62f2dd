import * as z from 'zod';
import { instanceResultSchema, type Outcome, outcomeSchema, reportOutcomeSchema } from '../vocabulary.js';

// Re-exported: the vocabulary lives in lib/vocabulary.ts, this module keeps its public surface.
export { instanceResultSchema, reportOutcomeSchema };

/**
 * The machine-readable report: what SQS and Lambda subscribers receive, what the DLQ keeps
 * when publishing fails, and what `profile-guard plan --json` prints. Versioned: a consumer
 * checks `schemaVersion` and ignores fields it does not know.
 *
 * Version 2: outcome `capped` became `deferred`, `waiting` was added, a report too big for one SNS
 * message is split into parts (`part`), and nothing is left out of the machine channel any more
 * (version 1's `omittedResults` is gone: the human summaries say themselves what they leave out).
 */
export const REPORT_SCHEMA_VERSION = 2;

/** Which part of a report this is: index from 1 to count. A report that fits one SNS message is part 1 of 1. */
export const partSchema = z
  .object({ index: z.number().int().min(1), count: z.number().int().min(1) })
  .refine((p) => p.index <= p.count, { message: 'part.index must not exceed part.count' });

const trigger = z.object({
  type: z.enum(['event', 'sweep', 'cli', 'redrive']),
  eventKind: z.string().optional(),
  eventId: z.string().optional(),
  eventName: z.string().optional(),
  detailType: z.string().optional(),
  actor: z.string().optional(),
  time: z.string().optional(),
});

export const reportSchema = z.object({
  kind: z.literal('profile-guard.report'),
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  /** Shared by every part of one report: reassemble by reportId. */
  reportId: z.string(),
  generatedAt: z.string(),
  account: z.string(),
  /** Organization mode, where known: the account's name and the OU it sits in (consumers may ignore them). */
  accountName: z.string().optional(),
  ou: z.string().optional(),
  region: z.string(),
  dryRun: z.boolean(),
  trigger,
  /** The whole report's outcome (every part carries the same). */
  outcome: reportOutcomeSchema,
  /** Counts for the whole report, in every part: their sum is the number of results across all parts. */
  counts: z.record(outcomeSchema, z.number().int()),
  part: partSchema,
  /** Present when the event itself could not be used; results is then empty. */
  rejected: z.string().optional(),
  /** Present when a sweep stopped before the end of the region; results holds what it did. */
  incomplete: z.string().optional(),
  /** This part's results: every instance appears in exactly one part. */
  results: z.array(instanceResultSchema),
});

export type Report = z.infer<typeof reportSchema>;
export type { ReportOutcome } from '../vocabulary.js';
export type Trigger = Report['trigger'];
export type ReportPart = Report['part'];

const V1_OUTCOMES = ['changed', 'unchanged', 'skipped', 'drift', 'planned', 'capped', 'failed'] as const;
const v1Outcome = z.enum(V1_OUTCOMES);
const reportV1Schema = reportSchema.omit({ schemaVersion: true, counts: true, part: true, results: true }).extend({
  schemaVersion: z.literal(1),
  counts: z.record(v1Outcome, z.number().int()),
  results: z.array(instanceResultSchema.extend({ outcome: v1Outcome })),
  omittedResults: z.number().int().optional(),
});

const renamed = (o: (typeof V1_OUTCOMES)[number]): Outcome => (o === 'capped' ? 'deferred' : o);

/** A version-1 report (still in a DLQ from before the upgrade) read as version 2: `capped` was what is now `deferred`. */
function upgradeV1(v1: z.infer<typeof reportV1Schema>): Report {
  const { counts, results, omittedResults: _omitted, schemaVersion: _v, ...rest } = v1;
  const { capped, ...same } = counts;
  return {
    ...rest,
    schemaVersion: REPORT_SCHEMA_VERSION,
    counts: { ...same, deferred: capped, waiting: 0 },
    part: { index: 1, count: 1 },
    results: results.map((r) => ({ ...r, outcome: renamed(r.outcome) })),
  };
}

/** For reports read back from storage (the DLQ): the current version, or version 1 upgraded to it. */
export const storedReportSchema = z.discriminatedUnion('schemaVersion', [reportSchema, reportV1Schema.transform(upgradeV1)]);
