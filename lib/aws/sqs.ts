import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { CallScope } from './ec2.js';
import { sendTranslated, translatorFor } from './errors.js';
import { operation } from './operations.js';

export const SQS_OPERATIONS = {
  send: operation('sqs:SendMessage'),
  receive: operation('sqs:ReceiveMessage'),
  delete: operation('sqs:DeleteMessage'),
  changeVisibility: operation('sqs:ChangeMessageVisibility'),
} as const;

/** A FIFO queue's ordering group and deduplication id (the organization sweep's one message per account-region). */
export interface FifoOptions {
  groupId: string;
  deduplicationId: string;
}

export async function sendMessage(
  sqs: SQSClient,
  queueUrl: string,
  body: string,
  attributes: Record<string, MessageAttributeValue> = {},
  scope: CallScope = {},
  fifo?: FifoOptions,
): Promise<void> {
  const ordering = fifo ? { MessageGroupId: fifo.groupId, MessageDeduplicationId: fifo.deduplicationId } : {};
  await sendTranslated(
    () =>
      sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: attributes, ...ordering }), { abortSignal: scope.signal }),
    translatorFor(SQS_OPERATIONS.send),
  );
}

/** Up to `max` (≤ 10) messages, hidden for `visibilitySeconds` while we handle them; no long polling. */
export async function receiveMessages(sqs: SQSClient, queueUrl: string, max: number, visibilitySeconds: number): Promise<Message[]> {
  const { Messages = [] } = await sendTranslated(
    () =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          VisibilityTimeout: visibilitySeconds,
          WaitTimeSeconds: 0,
        }),
      ),
    translatorFor(SQS_OPERATIONS.receive),
  );
  return Messages;
}

export async function deleteMessage(sqs: SQSClient, queueUrl: string, receiptHandle: string | undefined): Promise<void> {
  await sendTranslated(() => sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle })), translatorFor(SQS_OPERATIONS.delete));
}

export async function makeVisible(sqs: SQSClient, queueUrl: string, receiptHandle: string | undefined): Promise<void> {
  await sendTranslated(
    () => sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 })),
    translatorFor(SQS_OPERATIONS.changeVisibility),
  );
}
