import type { Message } from '@aws-sdk/client-sqs';
import { publish } from '../aws/sns.js';
import { deleteMessage, makeVisible, receiveMessages } from '../aws/sqs.js';
import { classifyDeadLetter, type DeadLetter, type LetterKind, printable, type Stack, stackFrom } from '../dlq.js';
import { describeError } from '../errors.js';
import { buildSnsMessage } from '../report/message.js';
import { summaryLine } from '../report/summary.js';
import { table } from '../report/text.js';
import { type Runtime, runForEvent, runSweep } from '../service.js';
import { EXIT, type Io, type OperatorOptions, operatorRuntime, UsageError } from './context.js';

export interface RedriveOptions extends OperatorOptions {
  queueUrl?: string | undefined;
  /** Asserts which stage the queue belongs to; the queue's name says it anyway. */
  stage?: string | undefined;
  max: number;
}

type Result = 'deleted' | 'would handle' | 'kept' | 'set aside';

interface Row {
  messageId: string;
  kind: LetterKind | 'unknown';
  result: Result;
  detail: string;
}

/**
 * Replays what the DLQ holds through the same engine, but only what provably comes from this stack (lib/dlq.ts).
 * A message is deleted only once handled; everything else is made visible again, for the alarm and the next redrive.
 */
export async function redriveCommand(options: RedriveOptions, io: Io): Promise<number> {
  if (!options.queueUrl) throw new UsageError('redrive needs the DLQ: --queue-url, or DLQ_URL in the environment (the stack output DeadLetterQueueUrl)');
  const queueUrl = options.queueUrl;
  // An empty $TOPIC_ARN means unset, as it does for the functions.
  const topicArn = options.topicArn || undefined;
  // Replayed events publish their reports to --topic-arn, as the CLI always has; a dry run publishes nothing at all.
  const { runtime, account, region } = await operatorRuntime({ ...options, topicArn: options.dryRun ? undefined : topicArn }, io);
  const found = stackFrom({ queueUrl, account, region, stage: options.stage, topicArn });
  if (!found.ok) throw new UsageError(found.problem);
  const { stack } = found;
  io.out(`${stack.name} in ${stack.account} ${stack.region}: only this stack's dead letters are handled; reports are republished only to ${stack.topicArn}`);

  const { sqs } = runtime.clients;
  const rows: Row[] = [];
  const kept: Message[] = [];
  try {
    while (rows.length < options.max) {
      const Messages = await receiveMessages(sqs, queueUrl, options.max - rows.length, 300);
      if (Messages.length === 0) break;
      for (const message of Messages) {
        const row = await settle(runtime, stack, message, options.dryRun);
        if (row.result === 'deleted') {
          try {
            await deleteMessage(sqs, queueUrl, message.ReceiptHandle);
          } catch (error) {
            // Handled, but it will come back: replaying is idempotent, so the next redrive just finds nothing to do.
            Object.assign(row, { result: 'kept', detail: `${row.detail}; handled, but not deleted: ${describeError(error).message}` });
          }
        }
        if (row.result !== 'deleted') kept.push(message);
        rows.push(row);
      }
    }
  } finally {
    // Whatever stays goes back on view at once, even if something above threw.
    for (const message of kept) {
      try {
        await makeVisible(sqs, queueUrl, message.ReceiptHandle);
      } catch (error) {
        io.err(`warning: message ${printable(message.MessageId ?? '?')} stays hidden until its visibility timeout ends: ${describeError(error).message}`);
      }
    }
  }

  if (rows.length === 0) {
    io.out('The dead-letter queue is empty.');
    return EXIT.ok;
  }
  io.out(
    table(
      ['MESSAGE', 'KIND', 'RESULT', 'DETAIL'],
      rows.map((r) => [r.messageId, r.kind, r.result, printable(r.detail, 400)]),
    ),
  );
  const count = (result: Result) => rows.filter((r) => r.result === result).length;
  io.out(
    options.dryRun
      ? `${rows.length} message(s), dry run: ${count('would handle')} would be handled, ${count('kept')} would fail and be kept, ${count('set aside')} set aside; nothing was changed, published or deleted`
      : `${rows.length} message(s): ${count('deleted')} handled and deleted, ${count('kept')} failed again and kept, ${count('set aside')} set aside and kept`,
  );
  return rows.every((r) => r.result === 'deleted' || r.result === 'would handle') ? EXIT.ok : EXIT.failed;
}

/** One message to one row; never throws, so one message cannot stop the others. */
async function settle(runtime: Runtime, stack: Stack, message: Message, dryRun: boolean): Promise<Row> {
  const messageId = printable(message.MessageId ?? '?');
  const letter = classifyDeadLetter(message.Body, message.MessageAttributes, stack);
  if (letter.kind === 'set-aside') return { messageId, kind: letter.looksLike, result: 'set aside', detail: letter.reason };
  try {
    const { done, detail } = await handle(runtime, stack, letter, dryRun);
    return { messageId, kind: letter.kind, result: done ? (dryRun ? 'would handle' : 'deleted') : 'kept', detail };
  } catch (error) {
    const { name, message: text } = describeError(error);
    return { messageId, kind: letter.kind, result: 'kept', detail: `failed: ${name}: ${text}` };
  }
}

type Vouched = Exclude<DeadLetter, { kind: 'set-aside' }>;

async function handle(runtime: Runtime, stack: Stack, letter: Vouched, dryRun: boolean): Promise<{ done: boolean; detail: string }> {
  const where = { account: stack.account, region: stack.region };
  switch (letter.kind) {
    case 'failed-invocation':
    case 'undelivered-event': {
      // The engine runs in dry-run mode for a dry run: it reads the named instances and plans, nothing more.
      const outcome = await runForEvent(runtime, letter.event, where);
      if (outcome.status === 'rejected') return { done: false, detail: `event rejected: ${outcome.reason}` };
      const failed = outcome.report?.counts.failed ?? 0;
      const summary = outcome.report ? summaryLine(outcome.report) : (outcome.reason ?? outcome.status);
      return { done: failed === 0, detail: summary };
    }
    case 'failed-sweep': {
      if (dryRun)
        return { done: true, detail: `would run ${stack.name}'s sweep over ${stack.region} again (\`profile-guard plan\` shows what it would change)` };
      const outcome = await runSweep(runtime, where);
      const summary = outcome.report ? summaryLine(outcome.report) : outcome.status;
      return {
        done: outcome.report?.outcome !== 'failed',
        detail: `sweep ran again: ${summary}${outcome.report?.incomplete ? ` (${outcome.report.incomplete})` : ''}`,
      };
    }
    case 'unpublished-report': {
      if (dryRun) return { done: true, detail: `would publish report ${letter.report.reportId} to ${letter.topicArn}` };
      try {
        const { report: _sent, ...message } = buildSnsMessage(letter.report);
        await publish(runtime.clients.sns, { TopicArn: letter.topicArn, ...message });
        return { done: true, detail: `published report ${letter.report.reportId} to ${letter.topicArn}` };
      } catch (error) {
        return { done: false, detail: `publish failed again: ${describeError(error).message}` };
      }
    }
  }
}
