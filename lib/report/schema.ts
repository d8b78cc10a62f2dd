import * as z from 'zod';

/**
 * The machine-readable report: what SQS and Lambda subscribers receive, what the DLQ keeps
 * when publishing fails, and what `profile-guard plan --json` prints. Versioned: a consumer
 * checks `schemaVersion` and ignores fields it does not know.
 */
export const REPORT_SCHEMA_VERSION = 1;

const outcome = z.enum(['changed', 'unchanged', 'skipped', 'drift', 'planned', 'deferred', 'waiting', 'failed']);
const action = z.enum(['skip', 'noop', 'wait', 'associate', 'replace', 'detach-attach', 'disassociate', 'report-drift']);

export const instanceResultSchema = z.object({
  instanceId: z.string(),
  name: z.string().optional(),
  state: z.string().optional(),
  action,
  from: z.string().optional(),
  to: z.string().optional(),
  rule: z.string().optional(),
  imdsv2: z.boolean().optional(),
  outcome,
  reason: z.string(),
  error: z.object({ name: z.string(), message: z.string(), retryable: z.boolean() }).optional(),
});

export const reportOutcomeSchema = z.enum(['failed', 'changed', 'drift', 'none']);

export const reportSchema = z.object({
  kind: z.literal('profile-guard.report'),
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  reportId: z.string(),
  generatedAt: z.string(),
  account: z.string(),
  region: z.string(),
  dryRun: z.boolean(),
  trigger: z.object({
    type: z.enum(['event', 'sweep', 'cli', 'redrive']),
    eventKind: z.string().optional(),
    eventId: z.string().optional(),
    eventName: z.string().optional(),
    detailType: z.string().optional(),
    actor: z.string().optional(),
    time: z.string().optional(),
  }),
  outcome: reportOutcomeSchema,
  counts: z.record(outcome, z.number().int()),
  /** Present when the event itself could not be used; results is then empty. */
  rejected: z.string().optional(),
  /** Present when a sweep stopped before the end of the region; results holds what it did. */
  incomplete: z.string().optional(),
  results: z.array(instanceResultSchema),
  /** Results left out to stay under SNS's 256 KB limit (the least important go first). */
  omittedResults: z.number().int().optional(),
});

export type Report = z.infer<typeof reportSchema>;
export type ReportOutcome = z.infer<typeof reportOutcomeSchema>;
export type Trigger = Report['trigger'];
