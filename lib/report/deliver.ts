import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describeError } from '../errors.js';
import type { Log } from '../log.js';
import { SNS_MESSAGE_BUDGET_BYTES, buildSnsMessage, fitReport } from './message.js';
import { type NotifyLevel, shouldNotify } from './notify.js';
import type { Report } from './schema.js';

/** The DLQ holds failed events and unpublished reports; this marks the latter so redrive can tell them apart. */
export const UNPUBLISHED_REPORT_KIND = 'profile-guard.unpublished-report';

export interface DeliveryTarget {
  topicArn?: string | undefined;
  dlqUrl?: string | undefined;
  notifyLevel: NotifyLevel;
}

export type Delivery = 'published' | 'not-needed' | 'no-topic' | 'sent-to-dlq' | 'lost';

/**
 * Publishes the report; if SNS still fails after the SDK's retries, the report goes to the DLQ.
 * Never throws: the remediation already happened and must not be retried because a message failed.
 */
export async function deliverReport(clients: { sns: SNSClient; sqs: SQSClient }, log: Log, report: Report, target: DeliveryTarget): Promise<Delivery> {
  if (!shouldNotify(report, target.notifyLevel)) return 'not-needed';
  if (!target.topicArn) return 'no-topic';
  const message = buildSnsMessage(report);
  try {
    const { report: _sent, ...publish } = message;
    await clients.sns.send(new PublishCommand({ TopicArn: target.topicArn, ...publish }));
    return 'published';
  } catch (publishError) {
    log.error('could not publish the report; sending it to the DLQ', { reportId: report.reportId, error: describeError(publishError) });
    if (!target.dlqUrl) {
      log.error('no DLQ configured: the report exists only in this log', { report: message.report });
      return 'lost';
    }
    const envelope = (r: Report) => JSON.stringify({ kind: UNPUBLISHED_REPORT_KIND, version: 1, topicArn: target.topicArn, error: describeError(publishError), report: r });
    const body = envelope(fitReport(report, (r) => Buffer.byteLength(envelope(r)) <= SNS_MESSAGE_BUDGET_BYTES));
    try {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: target.dlqUrl,
          MessageBody: body,
          MessageAttributes: { kind: { DataType: 'String', StringValue: UNPUBLISHED_REPORT_KIND } },
        }),
      );
      return 'sent-to-dlq';
    } catch (queueError) {
      log.error('could not send the report to the DLQ either: it exists only in this log', { error: describeError(queueError), report: message.report });
      return 'lost';
    }
  }
}
