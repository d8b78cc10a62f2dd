import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { publish } from '../aws/sns.js';
import { sendMessage } from '../aws/sqs.js';
import { mapWithConcurrency } from '../batching.js';
import { type Deadline, NO_DEADLINE } from '../deadline.js';
import { describeError } from '../errors.js';
import type { Log } from '../log.js';
import { buildSnsMessages, type SnsMessage } from './message.js';
import { type NotifyLevel, shouldNotify } from './notify.js';
import type { Report } from './schema.js';

/** The DLQ holds failed events and unpublished reports; this marks the latter so redrive can tell them apart. */
export const UNPUBLISHED_REPORT_KIND = 'profile-guard.unpublished-report';

export interface DeliveryTarget {
  topicArn?: string | undefined;
  dlqUrl?: string | undefined;
  notifyLevel: NotifyLevel;
}

/**
 * What became of the report. For a report in several parts it is the worst fate of any part:
 * `sent-to-dlq` if at least one part went to the DLQ (and none was lost), `lost` if any part is
 * only in the log. The log line `report delivery` has the count per fate.
 */
export type Delivery = 'published' | 'not-needed' | 'no-topic' | 'sent-to-dlq' | 'lost';

type PartDelivery = 'published' | 'sent-to-dlq' | 'lost';
const SEVERITY: Record<PartDelivery, number> = { published: 0, 'sent-to-dlq': 1, lost: 2 };

/** Parts published at once: a handful of requests in flight, well inside SNS's publish rate. */
const PUBLISH_CONCURRENCY = 4;

/**
 * Publishes the report, in parts if it is too big for one message; a part SNS still refuses after
 * the SDK's retries goes to the DLQ on its own, as an unpublished report. Never throws: the
 * remediation already happened and must not be retried because a message failed.
 */
export async function deliverReport(
  clients: { sns: SNSClient; sqs: SQSClient },
  log: Log,
  report: Report,
  target: DeliveryTarget,
  deadline: Deadline = NO_DEADLINE,
): Promise<Delivery> {
  if (!shouldNotify(report, target.notifyLevel)) return 'not-needed';
  const topicArn = target.topicArn;
  if (!topicArn) return 'no-topic';
  let messages: SnsMessage[];
  try {
    messages = buildSnsMessages(report);
  } catch (error) {
    // Only a hand-made part too big for SNS gets here; keep it in the log rather than throw.
    log.error('could not build the report messages: it exists only in this log', { error: describeError(error), report });
    return 'lost';
  }
  const fates = await mapWithConcurrency(messages, PUBLISH_CONCURRENCY, (message) => deliverPart(clients, log, message, topicArn, target.dlqUrl, deadline));
  const tally = Object.fromEntries((['published', 'sent-to-dlq', 'lost'] as const).map((fate) => [fate, fates.filter((f) => f === fate).length]));
  if (messages.length > 1 || tally.published !== messages.length) log.info('report delivery', { reportId: report.reportId, parts: messages.length, ...tally });
  return fates.reduce<PartDelivery>((worst, fate) => (SEVERITY[fate] > SEVERITY[worst] ? fate : worst), 'published');
}

async function deliverPart(
  clients: { sns: SNSClient; sqs: SQSClient },
  log: Log,
  message: SnsMessage,
  topicArn: string,
  dlqUrl: string | undefined,
  deadline: Deadline,
): Promise<PartDelivery> {
  const { report: part, ...snsMessage } = message;
  const where = { reportId: part.reportId, part: part.part };
  try {
    // SNS gets half the time left, so a hung publish still leaves time for the DLQ.
    const publishBy = Number.isFinite(deadline.msLeft())
      ? AbortSignal.any([deadline.signal, AbortSignal.timeout(Math.floor(deadline.msLeft() / 2))])
      : deadline.signal;
    await publish(clients.sns, { TopicArn: topicArn, ...snsMessage }, { signal: publishBy });
    return 'published';
  } catch (publishError) {
    log.error('could not publish the report; sending it to the DLQ', { ...where, error: describeError(publishError) });
    if (!dlqUrl) {
      log.error('no DLQ configured: the report exists only in this log', { report: part });
      return 'lost';
    }
    // A part's machine JSON is a third of an SNS message at most, so its envelope fits an SQS message.
    const body = JSON.stringify({ kind: UNPUBLISHED_REPORT_KIND, version: 1, topicArn, error: describeError(publishError), report: part });
    try {
      const attributes = { kind: { DataType: 'String', StringValue: UNPUBLISHED_REPORT_KIND } };
      await sendMessage(clients.sqs, dlqUrl, body, attributes, deadline);
      return 'sent-to-dlq';
    } catch (queueError) {
      log.error('could not send the report to the DLQ either: it exists only in this log', { ...where, error: describeError(queueError), report: part });
      return 'lost';
    }
  }
}
