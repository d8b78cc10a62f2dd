import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import type { ProfileAction } from '../../lib/decide.js';
import { DECISION_TABLE } from '../../lib/decision-table.js';
import { describeError, InstanceNotReadyError } from '../../lib/errors.js';
import { buildReport } from '../../lib/report/build.js';
import { type Report, reportSchema } from '../../lib/report/schema.js';
import { summaryLine } from '../../lib/report/summary.js';
import { countOutcomes } from '../../lib/result.js';
import {
  ACTION_KINDS,
  type ActionKind,
  type AssertSame,
  type ErrorShape,
  errorShapeSchema,
  type InstanceResult,
  type instanceResultSchema,
  OUTCOMES,
  type Outcome,
  reportOutcomeSchema,
  type Same,
} from '../../lib/vocabulary.js';
import { REPORT_JSON_SCHEMA_FILE, REPORT_JSON_SCHEMA_ID, renderReportJsonSchema } from '../../scripts/schema.js';

const ROOT = new URL('../../', import.meta.url);
const committedText = readFileSync(new URL(REPORT_JSON_SCHEMA_FILE, ROOT), 'utf8');
const committed = JSON.parse(committedText) as Record<string, unknown>;
const sample = (): Record<string, unknown> => JSON.parse(readFileSync(new URL('events/sns-report-machine.json', ROOT), 'utf8'));

/** Walks the committed JSON Schema by property names, so the assertions read like the report's shape. */
function at(schema: unknown, ...path: string[]): Record<string, unknown> {
  let node = schema as Record<string, unknown>;
  for (const key of path) node = node[key] as Record<string, unknown>;
  return node;
}

describe('the vocabulary: one statement of kinds, outcomes and result fields', () => {
  it('types are inferred from the schemas, and every module states them the same way', () => {
    // Checked by `tsc --noEmit -p .` (tests are part of the project).
    expectTypeOf<ProfileAction['kind']>().toEqualTypeOf<ActionKind>();
    expectTypeOf<InstanceResult>().toEqualTypeOf<z.output<typeof instanceResultSchema>>();
    expectTypeOf<ReturnType<typeof describeError>>().toEqualTypeOf<ErrorShape>();
    expectTypeOf<Report['results'][number]>().toEqualTypeOf<InstanceResult>();
    expectTypeOf<keyof Report['counts']>().toEqualTypeOf<Outcome>();
    expectTypeOf<Report['outcome']>().toEqualTypeOf<z.output<typeof reportOutcomeSchema>>();
    expect(ACTION_KINDS).toHaveLength(new Set(ACTION_KINDS).size);
    expect(OUTCOMES).toHaveLength(new Set(OUTCOMES).size);
  });

  it('the kind check in lib/decide.ts rejects a kind added on either side only', () => {
    type OK = AssertSame<Same<ProfileAction['kind'], ActionKind>>;
    // @ts-expect-error a kind in ProfileAction that the vocabulary lacks must not compile
    type ExtraInDecide = AssertSame<Same<ProfileAction['kind'] | 'quarantine', ActionKind>>;
    // @ts-expect-error a kind in the vocabulary that ProfileAction lacks must not compile
    type ExtraInVocabulary = AssertSame<Same<ProfileAction['kind'], ActionKind | 'quarantine'>>;
    expectTypeOf<OK>().toEqualTypeOf<true>();
    expectTypeOf<Same<'a' | 'b', 'a'>>().toEqualTypeOf<false>();
    expectTypeOf<Same<'a', 'a' | 'b'>>().toEqualTypeOf<false>();
    expectTypeOf<ExtraInDecide | ExtraInVocabulary>().not.toBeNever();
  });

  it('every outcome has a count, in countOutcomes and in the report schema, and nothing else does', () => {
    expect(Object.keys(countOutcomes([]))).toEqual([...OUTCOMES]);
    const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 1]));
    expect(reportSchema.shape.counts.parse(counts)).toEqual(counts);
    for (const missing of OUTCOMES) {
      const { [missing]: _gone, ...rest } = counts;
      expect(reportSchema.shape.counts.safeParse(rest).success, `counts without ${missing}`).toBe(false);
    }
    expect(reportSchema.shape.counts.safeParse({ ...counts, capped: 0 }).success).toBe(false);
  });

  // summary.ts lists its words per outcome in reading order (an array, so tsc cannot check it is complete): this does.
  it.each(OUTCOMES)('an instance %s reads in the human summary line', (outcome) => {
    const report = buildReport({
      account: '123456789012',
      region: 'eu-west-1',
      dryRun: false,
      trigger: { type: 'sweep' },
      results: [{ instanceId: 'i-1', action: 'noop', outcome, reason: 'r' }],
    });
    expect(summaryLine(report)).toMatch(/^1 \S/);
    expect(summaryLine(report, 'short')).toMatch(/^1 \S/);
  });

  it('every action kind is a row of the decision table (the README renders it), and every row uses a known kind', () => {
    const tableKinds = new Set(DECISION_TABLE.map((row) => row.action));
    expect([...ACTION_KINDS].filter((kind) => !tableKinds.has(kind))).toEqual([]);
    expect([...tableKinds].filter((kind) => !(ACTION_KINDS as readonly string[]).includes(kind))).toEqual([]);
  });

  it('describeError gives exactly the error shape, whatever was thrown', () => {
    for (const thrown of [new InstanceNotReadyError('pending'), new TypeError('boom'), 'a string', undefined]) {
      const described = describeError(thrown);
      expect(errorShapeSchema.strict().parse(described)).toEqual(described);
    }
    expect(describeError(new InstanceNotReadyError('pending'))).toEqual({ name: 'InstanceNotReadyError', message: 'pending', retryable: true });
  });
});

describe('the published JSON Schema (schemas/report.v2.schema.json)', () => {
  it('is current: `npx tsx scripts/schema.ts` rewrites it', () => {
    expect(committedText).toBe(renderReportJsonSchema());
    expect(committed.$id).toBe(REPORT_JSON_SCHEMA_ID);
    expect(committed.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(String(committed.description)).toMatch(/sqs, lambda and email-json/);
  });

  it('states the vocabulary: outcomes, kinds, required counts and error fields', () => {
    const result = at(committed, 'properties', 'results', 'items');
    expect(at(result, 'properties', 'outcome').enum).toEqual([...OUTCOMES]);
    expect(at(result, 'properties', 'action').enum).toEqual([...ACTION_KINDS]);
    expect(result.required).toEqual(['instanceId', 'action', 'outcome', 'reason']);
    expect(at(result, 'properties', 'error').required).toEqual(Object.keys(errorShapeSchema.shape));
    expect(at(committed, 'properties', 'counts').required).toEqual([...OUTCOMES]);
    expect(at(committed, 'properties', 'counts', 'propertyNames').enum).toEqual([...OUTCOMES]);
    expect(at(committed, 'properties', 'outcome').enum).toEqual(reportOutcomeSchema.options);
    expect(committed.required).toEqual(expect.arrayContaining(['kind', 'schemaVersion', 'reportId', 'counts', 'part', 'results']));
  });

  // The file itself is the validator here (zod's fromJSONSchema), not reportSchema: it checks what subscribers will use.
  const fromFile = z.fromJSONSchema(committed as Parameters<typeof z.fromJSONSchema>[0]);

  it('accepts the sample machine report (events/sns-report-machine.json), and reportSchema agrees', () => {
    expect(fromFile.safeParse(sample()).error).toBeUndefined();
    expect(reportSchema.safeParse(sample()).error).toBeUndefined();
  });

  it('accepts a report holding every outcome and every action profile-guard can emit', () => {
    const results: InstanceResult[] = OUTCOMES.map((outcome, i) => ({
      instanceId: `i-${String(i).padStart(17, '0')}`,
      action: ACTION_KINDS[i % ACTION_KINDS.length] as ActionKind,
      outcome,
      reason: 'example',
      ...(outcome === 'failed' ? { error: describeError(new InstanceNotReadyError('pending')) } : {}),
    }));
    const report = buildReport({ account: '123456789012', region: 'eu-west-1', dryRun: false, trigger: { type: 'sweep' }, results });
    expect(new Set(report.results.map((r) => r.action)).size).toBe(ACTION_KINDS.length);
    expect(fromFile.safeParse(JSON.parse(JSON.stringify(report))).error).toBeUndefined();
  });

  it('accepts a field it does not know (a version may gain optional fields)', () => {
    expect(fromFile.safeParse({ ...sample(), addedLater: true }).success).toBe(true);
  });

  it.each<[string, (r: Record<string, unknown>) => void]>([
    ['an unknown instance outcome', (r) => Object.assign(at(r, 'results', '0'), { outcome: 'capped' })],
    ['an unknown action', (r) => Object.assign(at(r, 'results', '0'), { action: 'terminate' })],
    ['an unknown count', (r) => Object.assign(at(r, 'counts'), { capped: 1 })],
    ['a fractional count', (r) => Object.assign(at(r, 'counts'), { changed: 1.5 })],
    ['an unknown report outcome', (r) => Object.assign(r, { outcome: 'partial' })],
    ['schema version 1', (r) => Object.assign(r, { schemaVersion: 1 })],
    ['a result without reason', (r) => delete at(r, 'results', '0').reason],
    ['an error without retryable', (r) => delete at(r, 'results', '2', 'error').retryable],
    ['part index 0', (r) => Object.assign(at(r, 'part'), { index: 0 })],
  ])('rejects %s', (_name, spoil) => {
    const report = sample();
    spoil(report);
    expect(fromFile.safeParse(report).success).toBe(false);
    expect(reportSchema.safeParse(report).success).toBe(false);
  });
});
