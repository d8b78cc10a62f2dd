import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/report/build.js';
import { CHATBOT_LIMITS, renderChatbot } from '../../lib/report/chatbot.js';
import { buildSnsMessages, TEXT_SUMMARY_LIMITS } from '../../lib/report/message.js';
import { shouldNotify } from '../../lib/report/notify.js';
import { REPORT_SCHEMA_VERSION, type Report, reportSchema, storedReportSchema } from '../../lib/report/schema.js';
import { nextSteps, subjectLine, summaryLine } from '../../lib/report/summary.js';
import { renderText } from '../../lib/report/text.js';
import type { InstanceResult } from '../../lib/result.js';
import { GOLDEN_INPUT, MIXED_RESULTS, realisticResults } from '../fixtures/results.js';

const { results: _results, ...base } = GOLDEN_INPUT;
const mixed = buildReport({ ...base, results: MIXED_RESULTS });
const only = (...outcomes: InstanceResult['outcome'][]) => MIXED_RESULTS.filter((r) => outcomes.includes(r.outcome));
const big = buildReport({ ...base, results: realisticResults(1000) });

describe('report outcome and notify level', () => {
  it.each<[string, Report, string]>([
    ['any failure makes it failed', mixed, 'failed'],
    ['changes without failures', buildReport({ ...base, results: only('changed', 'deferred', 'waiting', 'unchanged') }), 'changed'],
    ['dry-run plans count as changes', buildReport({ ...base, dryRun: true, results: [{ ...MIXED_RESULTS[0]!, outcome: 'planned' }] }), 'changed'],
    ['drift alone', buildReport({ ...base, results: [{ ...MIXED_RESULTS[0]!, action: 'report-drift', outcome: 'drift' }] }), 'drift'],
    ['deferred changes are drift still in place', buildReport({ ...base, results: only('deferred', 'unchanged') }), 'drift'],
    ['waiting instances alone make no news: their running event reports', buildReport({ ...base, results: only('waiting', 'unchanged', 'skipped') }), 'none'],
    ['all no-op', buildReport({ ...base, results: only('unchanged', 'skipped') }), 'none'],
    ['a rejected event', buildReport({ ...base, results: [], rejected: 'bad' }), 'failed'],
    ['a sweep that stopped early', buildReport({ ...base, results: only('unchanged'), incomplete: 'could not list instances after 2: throttled' }), 'failed'],
  ])('%s', (_name, report, outcome) => {
    expect(report.outcome).toBe(outcome);
  });

  it('publishes nothing for an all-noop invocation at the changes level', () => {
    const noop = buildReport({ ...base, results: only('unchanged', 'skipped', 'waiting') });
    expect(shouldNotify(noop, 'changes')).toBe(false);
    expect(shouldNotify(noop, 'all')).toBe(true);
    expect(shouldNotify(mixed, 'failures')).toBe(true);
    expect(shouldNotify(buildReport({ ...base, results: only('changed', 'deferred') }), 'failures')).toBe(false);
  });

  it('counts every outcome of the new vocabulary, zeros included', () => {
    expect(mixed.counts).toEqual({ changed: 2, planned: 0, failed: 1, drift: 0, deferred: 1, waiting: 1, unchanged: 1, skipped: 1 });
    expect(mixed.schemaVersion).toBe(2);
    expect(mixed.part).toEqual({ index: 1, count: 1 });
  });
});

describe('human text (email and default)', () => {
  it('matches the reviewed golden file', () => {
    expect(renderText(mixed)).toBe(readFileSync('tests/fixtures/report-mixed.txt', 'utf8'));
  });

  it('says deferred and waiting in words, and what happens to them', () => {
    expect(summaryLine(mixed)).toBe(
      '1 failed, 2 fixed, 1 deferred (over the change cap; a retry or the sweep picks them up), 1 waiting for running, 1 ok, 1 skipped',
    );
    const steps = nextSteps(mixed);
    expect(steps).toContainEqual(expect.stringMatching(/^Deferred instances .*Lambda retries the event and the next sweep picks them up/));
    expect(steps).toContainEqual(expect.stringMatching(/^Waiting instances .*`running` state-change event fixes them/));
  });

  it('gives one step per error kind, however many instances share it', () => {
    const error = { name: 'InvalidInstanceConfigError', message: 'something only a human can fix', retryable: false };
    const results = Array.from({ length: 40 }, (_, i) => ({ ...MIXED_RESULTS[2]!, instanceId: `i-${String(i).padStart(17, '0')}`, error }));
    expect(nextSteps(buildReport({ ...base, results }))).toEqual([
      `Investigate InvalidInstanceConfigError on ${results[0]!.instanceId} (and 39 more): something only a human can fix`,
    ]);
  });

  it('says when a sweep stopped early, and what to do', () => {
    const text = renderText(buildReport({ ...base, results: only('unchanged'), incomplete: 'could not list instances after 2: throttled' }));
    expect(text).toContain('The sweep stopped early: could not list instances after 2: throttled');
    expect(text).toContain('the next scheduled sweep (or `npx profile-guard plan`) covers the rest');
  });

  it('says dry run loudly', () => {
    expect(renderText(buildReport({ ...base, dryRun: true, results: MIXED_RESULTS })).split('\n')[0]).toContain('DRY RUN - nothing was changed');
  });

  it('summarises a 1,000-instance report within its limits: failures first, and how many more the machine report has', () => {
    const text = renderText(big, TEXT_SUMMARY_LIMITS);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_SUMMARY_LIMITS.maxBytes);
    const rows = text.split('\n').filter((line) => /^i-[0-9a-f]{17} /.test(line));
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThanOrEqual(TEXT_SUMMARY_LIMITS.maxRows);
    expect(rows.slice(0, big.counts.failed).every((row) => / failed /.test(row))).toBe(true);
    expect(text).toContain(`... and ${1000 - rows.length} more in the machine report`);
    expect(text.split('\n')[0]).toBe(`profile-guard: ${summaryLine(big)}`); // the counts cover every instance
  });

  it('never exceeds its byte limit, even for a pathological rejection reason', () => {
    const text = renderText(buildReport({ ...base, results: [], rejected: `bad ${'x'.repeat(100_000)}` }), TEXT_SUMMARY_LIMITS);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(TEXT_SUMMARY_LIMITS.maxBytes);
    expect(text.endsWith('…')).toBe(true);
  });

  it('lists every instance when given no limits (the CLI)', () => {
    expect(
      renderText(big)
        .split('\n')
        .filter((line) => /^i-[0-9a-f]{17} /.test(line)),
    ).toHaveLength(1000);
  });
});

describe('subject line', () => {
  it('says the outcome at a glance, in ASCII, under 100 characters', () => {
    expect(subjectLine(mixed)).toBe('[profile-guard] 1 failed, 2 fixed, 1 deferred, 1 waiting, 1 ok, 1 skipped - 123456789012 eu-west-1');
    const huge = buildReport({
      ...base,
      dryRun: true,
      region: 'ap-southeast-4',
      results: [...realisticResults(1000), ...MIXED_RESULTS, { ...MIXED_RESULTS[0]!, outcome: 'drift' }],
    });
    const subject = subjectLine(huge);
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('names a later part for what it is', () => {
    expect(subjectLine({ ...mixed, part: { index: 3, count: 7 } })).toBe('[profile-guard] part 3 of 7: machine details only - 123456789012 eu-west-1');
  });
});

describe('Chatbot (Slack) payload', () => {
  it('has the documented custom-notification shape, most important first', () => {
    const payload = renderChatbot(mixed);
    expect(payload).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: expect.stringContaining('1 failed, 2 fixed'),
        description: expect.stringContaining('`i-0a1b2c3d4e5f60003`'),
        nextSteps: expect.arrayContaining([expect.stringContaining('iam:PassRole')]),
        keywords: expect.arrayContaining(['profile-guard', 'failed']),
      },
      metadata: {
        summary: summaryLine(mixed),
        eventType: 'profile-guard.failed',
        threadId: base.trigger.eventId,
        relatedResources: [
          'i-0a1b2c3d4e5f60003',
          'i-0a1b2c3d4e5f60006',
          'i-0a1b2c3d4e5f60007',
          'i-0a1b2c3d4e5f60001',
          'i-0a1b2c3d4e5f60002',
          'i-0a1b2c3d4e5f60004',
        ],
      },
    });
    expect(payload.content.description.split('\n').map((line) => line.match(/→ \*(\w+)\*/)?.[1])).toEqual([
      'failed',
      'deferred',
      'waiting',
      'changed',
      'changed',
    ]);
    expect(payload.content.description).not.toContain('i-0a1b2c3d4e5f60004'); // unchanged instances are noise in chat
  });

  it('stays within its size limits for a large report, and says where the rest is', () => {
    const payload = renderChatbot(big);
    expect(payload.content.title?.length).toBeLessThanOrEqual(CHATBOT_LIMITS.title);
    expect(payload.content.description.length).toBeLessThanOrEqual(CHATBOT_LIMITS.description);
    expect(payload.content.description).toMatch(/…and \d+ more in the machine report$/);
    expect(payload.metadata.relatedResources.length).toBeLessThanOrEqual(CHATBOT_LIMITS.relatedResources);
  });
});

describe('the SNS message of a report that fits', () => {
  const messages = buildSnsMessages(mixed);
  const message = messages[0]!;

  it('is one message, part 1 of 1, with a body per protocol', () => {
    expect(messages).toHaveLength(1);
    const bodies = JSON.parse(message.Message) as Record<string, string>;
    expect(Object.keys(bodies).sort()).toEqual(['default', 'email', 'email-json', 'https', 'lambda', 'sqs']);
    expect(bodies.email).toBe(renderText(mixed));
    expect(bodies.default).toBe(bodies.email);
    expect(JSON.parse(bodies.https ?? '')).toEqual(renderChatbot(mixed));
    expect(reportSchema.parse(JSON.parse(bodies.sqs ?? ''))).toEqual(mixed);
    expect(bodies.lambda).toBe(bodies.sqs);
    expect(bodies['email-json']).toBe(bodies.sqs);
    expect(message.MessageStructure).toBe('json');
  });

  it('carries filterable attributes, part included so the part-1 filter also matches single reports', () => {
    expect(message.MessageAttributes).toEqual({
      outcome: { DataType: 'String', StringValue: 'failed' },
      account: { DataType: 'String', StringValue: '123456789012' },
      region: { DataType: 'String', StringValue: 'eu-west-1' },
      dryRun: { DataType: 'String', StringValue: 'false' },
      trigger: { DataType: 'String', StringValue: 'event' },
      actions: { DataType: 'String.Array', StringValue: '["associate","noop","replace","skip","wait"]' },
      outcomes: { DataType: 'String.Array', StringValue: '["changed","failed","deferred","waiting","unchanged","skipped"]' },
      part: { DataType: 'Number', StringValue: '1' },
    });
  });
});

describe('the machine JSON sample', () => {
  it('events/sns-report-machine.json is what an SQS subscriber receives for the golden report, and valid against the schema', () => {
    const sample = JSON.parse(readFileSync('events/sns-report-machine.json', 'utf8'));
    const sqsBody = JSON.parse(JSON.parse(buildSnsMessages(mixed)[0]!.Message).sqs);
    expect(reportSchema.parse(sample)).toEqual(sqsBody);
    expect(sample.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
  });
});

describe('reports stored before version 2', () => {
  const v1 = {
    ...mixed,
    schemaVersion: 1,
    counts: { changed: 2, planned: 0, failed: 1, drift: 0, capped: 1, unchanged: 1, skipped: 1 },
    results: only('changed', 'failed', 'unchanged', 'skipped').concat({ ...MIXED_RESULTS[5]!, outcome: 'capped' as never }),
    omittedResults: 0,
    part: undefined,
  };

  it('are read as version 2: capped becomes deferred', () => {
    const upgraded = storedReportSchema.parse(JSON.parse(JSON.stringify(v1)));
    expect(upgraded.schemaVersion).toBe(2);
    expect(upgraded.counts).toEqual({ changed: 2, planned: 0, failed: 1, drift: 0, deferred: 1, waiting: 0, unchanged: 1, skipped: 1 });
    expect(upgraded.results.at(-1)?.outcome).toBe('deferred');
    expect(upgraded.part).toEqual({ index: 1, count: 1 });
    expect(reportSchema.parse(upgraded)).toEqual(upgraded);
  });

  it('are not version 2 reports', () => {
    expect(reportSchema.safeParse(JSON.parse(JSON.stringify(v1))).success).toBe(false);
  });

  it('a part numbered beyond its count is refused', () => {
    expect(reportSchema.safeParse({ ...mixed, part: { index: 3, count: 2 } }).error?.issues[0]?.message).toBe('part.index must not exceed part.count');
  });
});
