import { PublishCommand } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type DeadLetter, classifyDeadLetter } from '../dlq.js';
import { describeError } from '../errors.js';
import { buildSnsMessage } from '../report/message.js';
import { summaryLine } from '../report/summary.js';
import { table } from '../report/text.js';
import { type Runtime, runForEvent, runSweep } from '../service.js';
import { EXIT, type Io, type OperatorOptions, UsageError, operatorRuntime } from './context.js';

export interface RedriveOptions extends OperatorOptions {
  queueUrl?: string | undefined;
  max: number;
}

interface Handled {
  messageId: string;
  kind: DeadLetter['kind'];
  done: boolean;
  detail: string;
}

/** Replays what the DLQ holds through the same engine; a message is deleted only once it has been handled. */
export async function redriveCommand(options: RedriveOptions, io: Io): Promise<number> {
  if (!options.queueUrl) throw new UsageError('redrive needs the DLQ: --queue-url, or DLQ_URL in the environment (the stack output DeadLetterQueueUrl)');
  const queueUrl = options.queueUrl;
  const { runtime, account, region } = await operatorRuntime(options, io);
  const { sqs } = runtime.clients;
  const handled: Handled[] = [];
  const kept: Message[] = [];
  while (handled.length < options.max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: Math.min(10, options.max - handled.length), MessageAttributeNames: ['All'], VisibilityTimeout: 300, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      const letter = classifyDeadLetter(message.Body, message.MessageAttributes);
      const result = await handle(runtime, letter, { account, region }, options);
      handled.push({ messageId: message.MessageId ?? '?', kind: letter.kind, ...result });
      if (result.done && !options.dryRun) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      else kept.push(message);
    }
  }
  // Whatever stays goes back on view at once, for the alarm and the next redrive.
  for (const message of kept) await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));

  if (handled.length === 0) {
    io.out('The dead-letter queue is empty.');
    return EXIT.ok;
  }
  const verb = options.dryRun ? 'would be handled' : 'handled and deleted';
  io.out(table(['MESSAGE', 'KIND', 'RESULT', 'DETAIL'], handled.map((h) => [h.messageId, h.kind, h.done ? (options.dryRun ? 'ok (kept: dry run)' : 'deleted') : 'kept', h.detail])));
  const done = handled.filter((h) => h.done).length;
  io.out(`${handled.length} message(s): ${done} ${verb}, ${handled.length - done} kept`);
  return handled.every((h) => h.done) ? EXIT.ok : EXIT.failed;
}

async function handle(runtime: Runtime, letter: DeadLetter, where: { account: string; region: string }, options: RedriveOptions): Promise<{ done: boolean; detail: string }> {
  switch (letter.kind) {
    case 'failed-invocation':
    case 'undelivered-event': {
      const outcome = await runForEvent(runtime, letter.event, where);
      if (outcome.status === 'rejected') return { done: false, detail: `event rejected: ${outcome.reason}` };
      const failed = outcome.report?.counts.failed ?? 0;
      const summary = outcome.report ? summaryLine(outcome.report) : (outcome.reason ?? outcome.status);
      return { done: failed === 0, detail: summary };
    }
    case 'failed-sweep': {
      const outcome = await runSweep(runtime, where);
      const summary = outcome.report ? summaryLine(outcome.report) : outcome.status;
      return { done: outcome.report?.outcome !== 'failed', detail: `sweep ran again: ${summary}${outcome.report?.incomplete ? ` (${outcome.report.incomplete})` : ''}` };
    }
    case 'unpublished-report': {
      const topicArn = options.topicArn ?? letter.topicArn;
      if (!topicArn) return { done: false, detail: 'no topic to publish to: pass --topic-arn' };
      if (options.dryRun) return { done: true, detail: `would publish report ${letter.report.reportId} to ${topicArn}` };
      try {
        const { report: _sent, ...message } = buildSnsMessage(letter.report);
        await runtime.clients.sns.send(new PublishCommand({ TopicArn: topicArn, ...message }));
        return { done: true, detail: `published report ${letter.report.reportId}` };
      } catch (error) {
        return { done: false, detail: `publish failed again: ${describeError(error).message}` };
      }
    }
    case 'unknown':
      return { done: false, detail: letter.reason };
  }
}
