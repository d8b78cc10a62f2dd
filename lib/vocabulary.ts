import * as z from 'zod';

/**
 * The result vocabulary, stated once: what decide() can choose (action kinds), what happened to an
 * instance (outcomes), the error shape and the per-instance result. The TypeScript types are
 * inferred from these schemas, and lib/result.ts, lib/decide.ts, lib/errors.ts and lib/report/schema.ts
 * import them, so adding an outcome or a kind is one edit here (then tsc lists every table that must
 * learn it: counts, importance, summary words, ProfileAction).
 */

/** What decide() chooses for an instance; ProfileAction in lib/decide.ts must have exactly these kinds (checked by tsc). */
export const actionKindSchema = z.enum(['skip', 'noop', 'wait', 'associate', 'replace', 'detach-attach', 'disassociate', 'report-drift']);
export type ActionKind = z.output<typeof actionKindSchema>;
export const ACTION_KINDS = actionKindSchema.options;

/**
 * What happened to one instance, in the order counts are listed:
 * changed   - profile (and/or IMDSv2) now matches the mapping
 * planned   - dry run: this change would be made
 * failed    - see error; `error.retryable` says whether another attempt may succeed
 * drift     - wrong profile left in place because onWrongProfile is report
 * deferred  - a change was needed but this invocation had used its blast-radius cap (MAX_CHANGES);
 *             nothing was touched, and Lambda's retry of the event or the next sweep picks it up
 * waiting   - still pending after the launch wait; the instance's `running` state-change event
 *             triggers profile-guard again and finishes the job (not a failure)
 * unchanged - it already matched
 * skipped   - gone, opted out or unmanaged
 */
export const outcomeSchema = z
  .enum(['changed', 'planned', 'failed', 'drift', 'deferred', 'waiting', 'unchanged', 'skipped'])
  .describe('What happened to one instance: see the outcome table in the README ("Notifications").');
export type Outcome = z.output<typeof outcomeSchema>;
export const OUTCOMES = outcomeSchema.options;

/** The whole report's outcome: the worst of its instances' (lib/report/build.ts) or `failed` when the event was rejected or a sweep stopped early. */
export const reportOutcomeSchema = z.enum(['failed', 'changed', 'drift', 'none']);
export type ReportOutcome = z.output<typeof reportOutcomeSchema>;

/** A failure as it reaches logs, reports and the DLQ (describeError in lib/errors.ts). */
export const errorShapeSchema = z.object({
  name: z.string(),
  message: z.string(),
  retryable: z.boolean().describe('Whether another attempt may succeed.'),
});
export type ErrorShape = z.output<typeof errorShapeSchema>;

/** One instance's line in a report. */
export const instanceResultSchema = z.object({
  instanceId: z.string(),
  name: z.string().optional(),
  state: z.string().optional(),
  action: actionKindSchema,
  from: z.string().optional(),
  to: z.string().optional(),
  rule: z.string().optional(),
  imdsv2: z.boolean().optional(),
  outcome: outcomeSchema,
  reason: z.string(),
  error: errorShapeSchema.optional(),
});
export type InstanceResult = z.output<typeof instanceResultSchema>;

/**
 * True when A and B are the same union (each assignable to the other). Used as
 * `AssertSame<Same<X, Y>>`: a kind added on one side only makes tsc fail.
 */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type AssertSame<T extends true> = T;
