import { describe, expect, it } from 'vitest';
import { classifyDeadLetter } from '../../lib/dlq.js';
import { loadSample } from '../../lib/events/samples.js';
import { buildReport } from '../../lib/report/build.js';
import { UNPUBLISHED_REPORT_KIND } from '../../lib/report/deliver.js';

const destination = (requestPayload: unknown) =>
  JSON.stringify({
    version: '1.0',
    timestamp: '2026-11-28T09:20:00.000Z',
    requestContext: { requestId: 'r', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'RetryableFailuresError', errorMessage: '1 instance(s) failed' },
  });

describe('dead letters are told apart', () => {
  it('a failed remediate invocation carries its event', () => {
    const event = loadSample('ec2-state-running');
    expect(classifyDeadLetter(destination(event))).toEqual({ kind: 'failed-invocation', event, error: 'RetryableFailuresError: 1 instance(s) failed' });
  });

  it('a failed sweep is recognised by its scheduled event', () => {
    const scheduled = { version: '0', id: 'x', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: '2026-11-28T09:00:00Z', region: 'us-east-1', resources: [], detail: {} };
    expect(classifyDeadLetter(destination(scheduled))).toMatchObject({ kind: 'failed-sweep' });
  });

  it('an event a rule could not deliver, with the reason from its attributes', () => {
    const event = loadSample('cloudtrail-run-instances');
    const attributes = { ERROR_CODE: { StringValue: 'SDK_CLIENT_ERROR' }, ERROR_MESSAGE: { StringValue: 'Lambda throttled' } };
    expect(classifyDeadLetter(JSON.stringify(event), attributes)).toEqual({ kind: 'undelivered-event', event, error: 'SDK_CLIENT_ERROR: Lambda throttled' });
  });

  it('an unpublished report', () => {
    const report = buildReport({ account: '123456789012', region: 'us-east-1', dryRun: false, trigger: { type: 'sweep' }, results: [] });
    expect(classifyDeadLetter(JSON.stringify({ kind: UNPUBLISHED_REPORT_KIND, version: 1, topicArn: 'arn:aws:sns:us-east-1:123456789012:t', report }))).toEqual({ kind: 'unpublished-report', report, topicArn: 'arn:aws:sns:us-east-1:123456789012:t' });
  });

  it.each([
    ['not JSON', 'hello', 'body is not JSON'],
    ['some other JSON', '{"Records":[]}', 'neither a Lambda destination record, an EventBridge event nor a profile-guard report'],
  ])('anything else is unknown: %s', (_name, body, reason) => {
    expect(classifyDeadLetter(body)).toEqual({ kind: 'unknown', reason });
  });
});
