import * as z from 'zod';
import { UNPUBLISHED_REPORT_KIND } from './report/deliver.js';
import { type Report, reportSchema } from './report/schema.js';

/**
 * The DLQ holds three kinds of message; redrive must tell them apart:
 * - a Lambda on-failure destination record: the event in `requestPayload`, after retries ran out
 *   (for the sweep, that event is the schedule's "Scheduled Event": redrive runs the sweep again);
 * - an event a rule could not deliver: the EventBridge event itself;
 * - a report SNS refused, wrapped by lib/report/deliver.ts.
 */
export type DeadLetter =
  | { kind: 'failed-invocation'; event: unknown; error?: string | undefined }
  | { kind: 'failed-sweep'; error?: string | undefined }
  | { kind: 'undelivered-event'; event: unknown; error?: string | undefined }
  | { kind: 'unpublished-report'; report: Report; topicArn?: string | undefined }
  | { kind: 'unknown'; reason: string };

const destinationRecord = z.object({
  requestContext: z.object({ functionArn: z.string(), condition: z.string() }).loose(),
  requestPayload: z.unknown(),
  responsePayload: z.object({ errorType: z.string().optional(), errorMessage: z.string().optional() }).loose().nullish(),
});
const eventBridgeEvent = z.object({ 'detail-type': z.string(), source: z.string(), detail: z.unknown() }).loose();
const scheduledEvent = z.object({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') }).loose();
const unpublished = z.object({ kind: z.literal(UNPUBLISHED_REPORT_KIND), topicArn: z.string().optional(), report: reportSchema });

export function classifyDeadLetter(body: string | undefined, attributes: Record<string, { StringValue?: string }> = {}): DeadLetter {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { kind: 'unknown', reason: 'body is not JSON' };
  }
  const report = unpublished.safeParse(json);
  if (report.success) return { kind: 'unpublished-report', report: report.data.report, topicArn: report.data.topicArn };
  const record = destinationRecord.safeParse(json);
  if (record.success) {
    const error = record.data.responsePayload ? `${record.data.responsePayload.errorType ?? 'Error'}: ${record.data.responsePayload.errorMessage ?? ''}` : record.data.requestContext.condition;
    if (scheduledEvent.safeParse(record.data.requestPayload).success) return { kind: 'failed-sweep', error };
    return { kind: 'failed-invocation', event: record.data.requestPayload, error };
  }
  if (eventBridgeEvent.safeParse(json).success) {
    // EventBridge puts why it gave up in message attributes.
    const error = attributes.ERROR_CODE?.StringValue ? `${attributes.ERROR_CODE.StringValue}: ${attributes.ERROR_MESSAGE?.StringValue ?? ''}` : undefined;
    return { kind: 'undelivered-event', event: json, error };
  }
  return { kind: 'unknown', reason: 'neither a Lambda destination record, an EventBridge event nor a profile-guard report' };
}
