import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/report/build.js';
import { CHATBOT_LIMITS } from '../../lib/report/chatbot.js';
import { UNPUBLISHED_REPORT_KIND } from '../../lib/report/deliver.js';
import {
  buildSnsMessage,
  buildSnsMessages,
  ReportTooLargeError,
  SNS_MESSAGE_BUDGET_BYTES,
  type SnsMessage,
  snsMessageBytes,
  TEXT_SUMMARY_LIMITS,
} from '../../lib/report/message.js';
import { partition } from '../../lib/report/parts.js';
import { type Report, reportSchema } from '../../lib/report/schema.js';
import type { InstanceResult } from '../../lib/result.js';
import { GOLDEN_INPUT, MIXED_RESULTS, realisticResults } from '../fixtures/results.js';

const { results: _results, ...base } = GOLDEN_INPUT;
/** SQS's limit for one message: an unpublished part must fit the DLQ. */
const SQS_MAX_MESSAGE_BYTES = 256 * 1024;

const bodies = (m: SnsMessage) => JSON.parse(m.Message) as Record<'default' | 'email' | 'email-json' | 'https' | 'sqs' | 'lambda', string>;
const machineOf = (m: SnsMessage): Report => reportSchema.parse(JSON.parse(bodies(m).sqs));
/** What results look like after a trip through JSON (absent and undefined fields compare alike). */
const asSent = (results: readonly InstanceResult[]) => JSON.parse(JSON.stringify(results)) as InstanceResult[];

describe('a 1,000-instance report', () => {
  const report = buildReport({ ...base, results: realisticResults(1000) });
  const messages = buildSnsMessages(report);
  const parts = messages.map(machineOf);

  it('is split into several parts, each within the SNS limit as SNS counts it (message, subject, attributes)', () => {
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(snsMessageBytes(message)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
  });

  it('delivers every result to the machine channel exactly once, in the report order', () => {
    expect(parts.flatMap((p) => p.results)).toEqual(asSent(report.results));
    expect(new Set(parts.flatMap((p) => p.results.map((r) => r.instanceId))).size).toBe(1000);
  });

  it('gives each part a complete report: the shared reportId, the whole counts and outcome, its own part number', () => {
    parts.forEach((part, i) => {
      expect(part).toMatchObject({ reportId: report.reportId, counts: report.counts, outcome: report.outcome, part: { index: i + 1, count: messages.length } });
      expect(part.results.length).toBeGreaterThan(0);
    });
    for (const message of messages) expect(bodies(message).lambda).toBe(bodies(message).sqs);
    for (const message of messages) expect(bodies(message)['email-json']).toBe(bodies(message).sqs);
  });

  it('numbers each message with a part attribute; every other attribute describes the whole report', () => {
    expect(messages.map((m) => m.MessageAttributes.part)).toEqual(messages.map((_, i) => ({ DataType: 'Number', StringValue: String(i + 1) })));
    const { part: _part, ...first } = messages[0]!.MessageAttributes;
    for (const message of messages) expect(message.MessageAttributes).toMatchObject(first);
    expect(first.actions?.StringValue).toBe('["associate","noop","replace","skip","wait"]');
  });

  it('keeps email and Slack short: part 1 summarises, parts 2..n are one line', () => {
    const [first, ...rest] = messages;
    const human = bodies(first!);
    expect(Buffer.byteLength(human.email)).toBeLessThanOrEqual(TEXT_SUMMARY_LIMITS.maxBytes);
    expect(human.email).toMatch(/\.\.\. and \d+ more in the machine report/);
    expect(human.default).toBe(human.email);
    expect(JSON.parse(human.https).content.description.length).toBeLessThanOrEqual(CHATBOT_LIMITS.description);
    expect(first!.Subject).toMatch(/^\[profile-guard\] \d+ failed, \d+ fixed, \d+ deferred, \d+ waiting/);
    rest.forEach((message, i) => {
      const line = `part ${i + 2} of ${messages.length} of report ${report.reportId}: machine details only`;
      expect(bodies(message).email).toBe(line);
      expect(bodies(message).default).toBe(line);
      expect(JSON.parse(bodies(message).https)).toMatchObject({ version: '1.0', source: 'custom', content: { description: line } });
      expect(message.Subject).toBe(`[profile-guard] part ${i + 2} of ${messages.length}: machine details only - 123456789012 eu-west-1`);
    });
  });

  it('fits each part, wrapped as an unpublished report, into one SQS message for the DLQ', () => {
    for (const message of messages) {
      const envelope = JSON.stringify({
        kind: UNPUBLISHED_REPORT_KIND,
        version: 1,
        topicArn: 'arn:aws:sns:eu-west-1:123456789012:profile-guard-prod-reports',
        error: { name: 'KMSAccessDeniedException', message: 'x'.repeat(1000), retryable: true },
        report: message.report,
      });
      expect(Buffer.byteLength(envelope)).toBeLessThanOrEqual(SQS_MAX_MESSAGE_BYTES);
    }
  });

  it('rebuilds the same message from a part read back from the DLQ (redrive)', () => {
    const second = messages[1]!;
    const stored = reportSchema.parse(JSON.parse(JSON.stringify(second.report)));
    const again = buildSnsMessage(stored);
    expect(again.Subject).toBe(second.Subject);
    expect(machineOf(again)).toEqual(machineOf(second));
    expect([bodies(again).email, JSON.parse(bodies(again).https)]).toEqual([bodies(second).email, JSON.parse(bodies(second).https)]);
    // Only `actions` may narrow: a part on its own knows only its own results' actions.
    expect({ ...again.MessageAttributes, actions: undefined }).toEqual({ ...second.MessageAttributes, actions: undefined });
    expect(buildSnsMessages(stored)).toHaveLength(1); // a part stays that part: never renumbered
    expect(machineOf(buildSnsMessage(reportSchema.parse(JSON.parse(JSON.stringify(messages[0]!.report)))))).toEqual(parts[0]);
  });

  it('refuses to render a whole report too big for one message as one message', () => {
    expect(() => buildSnsMessage(report)).toThrow(ReportTooLargeError);
  });
});

describe('a report that fits', () => {
  it('stays one message: part 1 of 1, with the part attribute so a part-1 filter still matches it', () => {
    const messages = buildSnsMessages(buildReport({ ...base, results: MIXED_RESULTS }));
    expect(messages).toHaveLength(1);
    expect(machineOf(messages[0]!).part).toEqual({ index: 1, count: 1 });
    expect(messages[0]!.MessageAttributes.part).toEqual({ DataType: 'Number', StringValue: '1' });
  });

  it('a rejected event (no results) is one message too', () => {
    const messages = buildSnsMessages(buildReport({ ...base, results: [], rejected: 'not an EventBridge event' }));
    expect(messages.map((m) => machineOf(m).results)).toEqual([[]]);
  });
});

describe('a pathological result', () => {
  it('is clipped to fit a part rather than breaking the message, and still reaches the machine channel', () => {
    const huge = { ...MIXED_RESULTS[2]!, error: { name: 'ThrottledError', message: 'é"\\'.repeat(400_000), retryable: true } };
    const report = buildReport({ ...base, results: [MIXED_RESULTS[0]!, huge, MIXED_RESULTS[1]!] });
    const messages = buildSnsMessages(report);
    for (const message of messages) expect(snsMessageBytes(message)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
    const sent = messages.flatMap((m) => machineOf(m).results);
    expect(sent.map((r) => r.instanceId)).toEqual(report.results.map((r) => r.instanceId));
    expect(sent[1]?.error?.message).toMatch(/^(é"\\)+.*…$/);
    expect(sent[1]?.error?.message.length).toBeLessThan(5000);
  });
});

describe('partition', () => {
  it('fills each group up to its room, in order, and gives an oversized item a group of its own', () => {
    expect(
      partition(
        [3, 3, 3, 9, 1, 1],
        (n) => n,
        (k) => (k === 1 ? 5 : 7),
      ),
    ).toEqual([[3], [3, 3], [9], [1, 1]]);
    expect(
      partition(
        [6, 1],
        (n) => n,
        () => 5,
      ),
    ).toEqual([[], [6], [1]]);
    expect(
      partition(
        [],
        (n: number) => n,
        () => 5,
      ),
    ).toEqual([[]]);
  });
});

/** Strings that make escaping and UTF-8 count: quotes, backslashes, control characters, accents, CJK, emoji, lone surrogates. */
const nasty = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('"', '\\', '\u0000', '\n', 'é', '支', '😀', '\ud800', 'a'), fc.nat({ max: 3000 }))
  .map(([prefix, ch, n]) => prefix + ch.repeat(n));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const resultArb: fc.Arbitrary<InstanceResult> = fc.record({
  instanceId: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
  name: optional(nasty),
  state: optional(fc.constantFrom('running', 'pending', 'stopped')),
  action: fc.constantFrom('skip', 'noop', 'wait', 'associate', 'replace', 'detach-attach', 'disassociate', 'report-drift'),
  from: optional(fc.string({ maxLength: 128 })),
  to: optional(fc.string({ maxLength: 128 })),
  rule: optional(fc.string({ maxLength: 64 })),
  imdsv2: optional(fc.boolean()),
  outcome: fc.constantFrom('changed', 'unchanged', 'skipped', 'drift', 'planned', 'deferred', 'waiting', 'failed'),
  reason: nasty,
  error: optional(fc.record({ name: fc.string({ maxLength: 40 }), message: nasty, retryable: fc.boolean() })),
});

describe('parts, for any list of results', () => {
  it('cover the results exactly once, in order, and each part fits one SNS message', () => {
    fc.assert(
      fc.property(fc.array(resultArb, { maxLength: 120 }), (results) => {
        const report = buildReport({ ...base, results });
        const messages = buildSnsMessages(report);
        const parts = messages.map(machineOf);
        for (const message of messages) expect(snsMessageBytes(message)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
        expect(parts.flatMap((p) => p.results)).toEqual(asSent(results));
        expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => ({ index: i + 1, count: parts.length })));
        for (const part of parts) expect(part.counts).toEqual(report.counts);
      }),
      { numRuns: 40 },
    );
  });
});
