import { describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/report/build.js';
import { renderChatbot } from '../../lib/report/chatbot.js';
import { messageAttributes } from '../../lib/report/message.js';
import { reportSchema } from '../../lib/report/schema.js';
import { renderText } from '../../lib/report/text.js';
import { MIXED_RESULTS } from '../fixtures/results.js';

const base = {
  account: '111111111111',
  region: 'eu-west-1',
  dryRun: false,
  trigger: { type: 'sweep' as const },
  results: MIXED_RESULTS,
  reportId: 'r',
  now: new Date('2026-11-28T10:00:00Z'),
};

describe('reports name the account (and its name and OU where known)', () => {
  it('in text, Chatbot, machine JSON and message attributes', () => {
    const report = buildReport({ ...base, accountName: 'payments', ou: 'ou-ab12-cdef3456' });
    expect(reportSchema.parse(report)).toMatchObject({ account: '111111111111', accountName: 'payments', ou: 'ou-ab12-cdef3456' });
    expect(renderText(report)).toContain('Account:  111111111111 (payments, ou-ab12-cdef3456)\nRegion:   eu-west-1');
    expect(JSON.stringify(renderChatbot(report))).toContain('(111111111111 (payments, ou-ab12-cdef3456) eu-west-1)');
    const attributes = messageAttributes(report);
    expect(attributes).toMatchObject({
      account: { StringValue: '111111111111' },
      accountName: { StringValue: 'payments' },
      ou: { StringValue: 'ou-ab12-cdef3456' },
    });
    expect(Object.keys(attributes).length).toBeLessThanOrEqual(10); // SNS's limit
  });

  it('adds nothing when they are not known (single account: unchanged)', () => {
    const report = buildReport(base);
    expect(report).not.toHaveProperty('accountName');
    expect(report).not.toHaveProperty('ou');
    expect(renderText(report)).toContain('Account:  111111111111\n');
    expect(messageAttributes(report)).not.toHaveProperty('accountName');
  });
});
