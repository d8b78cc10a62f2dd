import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/report/build.js';
import { CHATBOT_LIMITS, renderChatbot } from '../../lib/report/chatbot.js';
import { SNS_MESSAGE_BUDGET_BYTES, buildSnsMessage } from '../../lib/report/message.js';
import { shouldNotify } from '../../lib/report/notify.js';
import { type Report, reportSchema } from '../../lib/report/schema.js';
import { subjectLine } from '../../lib/report/summary.js';
import { renderText } from '../../lib/report/text.js';
import { GOLDEN_INPUT, MIXED_RESULTS, manyResults } from '../fixtures/results.js';

const { results: _results, ...base } = GOLDEN_INPUT;
const mixed = buildReport({ ...base, results: MIXED_RESULTS });

describe('report outcome and notify level', () => {
  it.each<[string, Report, string]>([
    ['any failure makes it failed', mixed, 'failed'],
    ['changes without failures', buildReport({ ...base, results: MIXED_RESULTS.filter((r) => r.outcome !== 'failed') }), 'changed'],
    ['dry-run plans count as changes', buildReport({ ...base, dryRun: true, results: [{ ...MIXED_RESULTS[0]!, outcome: 'planned' }] }), 'changed'],
    ['drift alone', buildReport({ ...base, results: [{ ...MIXED_RESULTS[0]!, action: 'report-drift', outcome: 'drift' }] }), 'drift'],
    ['capped changes are drift left in place', buildReport({ ...base, results: [{ ...MIXED_RESULTS[0]!, outcome: 'capped' }] }), 'drift'],
    ['all no-op', buildReport({ ...base, results: MIXED_RESULTS.slice(3) }), 'none'],
    ['a rejected event', buildReport({ ...base, results: [], rejected: 'bad' }), 'failed'],
    ['a sweep that stopped early', buildReport({ ...base, results: MIXED_RESULTS.slice(3), incomplete: 'could not list instances after 2: throttled' }), 'failed'],
  ])('%s', (_name, report, outcome) => {
    expect(report.outcome).toBe(outcome);
  });

  it('publishes nothing for an all-noop invocation at the changes level', () => {
    const noop = buildReport({ ...base, results: MIXED_RESULTS.slice(3) });
    expect(shouldNotify(noop, 'changes')).toBe(false);
    expect(shouldNotify(noop, 'all')).toBe(true);
    expect(shouldNotify(mixed, 'failures')).toBe(true);
    expect(shouldNotify(buildReport({ ...base, results: MIXED_RESULTS.slice(0, 2) }), 'failures')).toBe(false);
  });
});

describe('human text (email and default)', () => {
  it('matches the reviewed golden file', () => {
    expect(renderText(mixed)).toBe(readFileSync('tests/fixtures/report-mixed.txt', 'utf8'));
  });

  it('says when a sweep stopped early, and what to do', () => {
    const text = renderText(buildReport({ ...base, results: MIXED_RESULTS.slice(3), incomplete: 'could not list instances after 2: throttled' }));
    expect(text).toContain('The sweep stopped early: could not list instances after 2: throttled');
    expect(text).toContain('the next scheduled sweep (or `npx profile-guard plan`) covers the rest');
  });

  it('says dry run loudly', () => {
    expect(renderText(buildReport({ ...base, dryRun: true, results: MIXED_RESULTS })).split('\n')[0]).toContain('DRY RUN - nothing was changed');
  });
});

describe('subject line', () => {
  it('says the outcome at a glance, in ASCII, under 100 characters', () => {
    expect(subjectLine(mixed)).toBe('[profile-guard] 1 failed, 2 fixed, 1 ok, 1 skipped - 123456789012 eu-west-1');
    const huge = buildReport({ ...base, dryRun: true, region: 'ap-southeast-4', results: [...manyResults(1000), ...MIXED_RESULTS, { ...MIXED_RESULTS[0]!, outcome: 'drift' }, { ...MIXED_RESULTS[0]!, outcome: 'capped' }] });
    const subject = subjectLine(huge);
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('Chatbot (Slack) payload', () => {
  it('has the documented custom-notification shape', () => {
    const payload = renderChatbot(mixed);
    expect(payload).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: expect.stringContaining('1 failed, 2 fixed'), description: expect.stringContaining('`i-0a1b2c3d4e5f60003`'), nextSteps: [expect.stringContaining('iam:PassRole')], keywords: expect.arrayContaining(['profile-guard', 'failed']) },
      metadata: { summary: '1 failed, 2 fixed, 1 ok, 1 skipped', eventType: 'profile-guard.failed', threadId: base.trigger.eventId, relatedResources: ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002', 'i-0a1b2c3d4e5f60003', 'i-0a1b2c3d4e5f60004'] },
    });
    expect(payload.content.description).not.toContain('i-0a1b2c3d4e5f60004'); // unchanged instances are noise in chat
  });

  it('stays within its size limits for a large report', () => {
    const payload = renderChatbot(buildReport({ ...base, results: manyResults(1000) }));
    expect(payload.content.title.length).toBeLessThanOrEqual(CHATBOT_LIMITS.title);
    expect(payload.content.description.length).toBeLessThanOrEqual(CHATBOT_LIMITS.description);
    expect(payload.content.description).toMatch(/…and \d+ more/);
    expect(payload.metadata.relatedResources.length).toBeLessThanOrEqual(CHATBOT_LIMITS.relatedResources);
  });
});

describe('the SNS message', () => {
  it('carries a body per protocol', () => {
    const message = buildSnsMessage(mixed);
    const bodies = JSON.parse(message.Message) as Record<string, string>;
    expect(Object.keys(bodies).sort()).toEqual(['default', 'email', 'email-json', 'https', 'lambda', 'sqs']);
    expect(bodies.email).toBe(renderText(mixed));
    expect(JSON.parse(bodies.https ?? '')).toEqual(renderChatbot(mixed));
    expect(reportSchema.parse(JSON.parse(bodies.sqs ?? ''))).toEqual(mixed);
    expect(message.MessageStructure).toBe('json');
  });

  it('carries filterable attributes', () => {
    expect(buildSnsMessage(mixed).MessageAttributes).toEqual({
      outcome: { DataType: 'String', StringValue: 'failed' },
      account: { DataType: 'String', StringValue: '123456789012' },
      region: { DataType: 'String', StringValue: 'eu-west-1' },
      dryRun: { DataType: 'String', StringValue: 'false' },
      trigger: { DataType: 'String', StringValue: 'event' },
      actions: { DataType: 'String.Array', StringValue: '["associate","noop","replace","skip"]' },
    });
  });

  it('fits a 1,000-instance report under the SNS limit, keeping failures and counting what it left out', () => {
    const big = buildReport({ ...base, results: manyResults(3000) });
    const message = buildSnsMessage(big);
    expect(Buffer.byteLength(message.Message)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
    expect(message.report.omittedResults).toBeGreaterThan(0);
    expect(message.report.results.length + (message.report.omittedResults ?? 0)).toBe(3000);
    expect(message.report.results.slice(0, 30).every((r) => r.outcome === 'failed')).toBe(true);
    expect(message.report.counts).toEqual(big.counts); // the counts still describe every instance
    expect(JSON.parse(message.Message).email).toContain(`... and ${message.report.omittedResults} more instances not listed`);
  });

  it('does not truncate a 1,000-instance report that fits', () => {
    const message = buildSnsMessage(buildReport({ ...base, results: manyResults(1000) }));
    expect(Buffer.byteLength(message.Message)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET_BYTES);
    expect(message.report.omittedResults ?? 0).toBe(message.report.results.length === 1000 ? 0 : 1000 - message.report.results.length);
  });
});

describe('the machine JSON sample', () => {
  it('events/sns-report-machine.json is the golden report and valid against the schema', () => {
    const sample = JSON.parse(readFileSync('events/sns-report-machine.json', 'utf8'));
    expect(reportSchema.parse(sample)).toEqual(mixed);
  });
});
