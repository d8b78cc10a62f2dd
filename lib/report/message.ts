import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { ProfileGuardError } from '../errors.js';
import { OUTCOMES } from '../result.js';
import { renderChatbot, renderChatbotPart } from './chatbot.js';
import { escapedBytes, fitResult, partition } from './parts.js';
import type { Report } from './schema.js';
import { partLine, subjectLine } from './summary.js';
import { renderText, type TextLimits } from './text.js';

/** SNS's hard limit for one Publish: message, subject and attributes together. */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;
/** What one message may use, as snsMessageBytes counts it; the margin covers any counting SNS does not document. */
export const SNS_MESSAGE_BUDGET_BYTES = SNS_MAX_MESSAGE_BYTES - 2 * 1024;
/** The email summary (part 1): enough rows to act on, short enough to read. */
export const TEXT_SUMMARY_LIMITS: TextLimits = { maxRows: 50, maxBytes: 16 * 1024 };

export interface SnsMessage {
  Subject: string;
  Message: string;
  MessageStructure: 'json';
  MessageAttributes: Record<string, MessageAttributeValue>;
  /** This message's part of the report, exactly as its machine bodies carry it. */
  report: Report;
}

/** A report part SNS could not take in one message (only a hand-made report can be one: ours are cut to fit). */
export class ReportTooLargeError extends ProfileGuardError {
  readonly retryable = false;
}

/** Bytes as SNS counts them against its limit: the message, the subject, and each attribute's name, type and value. */
export function snsMessageBytes(message: Pick<SnsMessage, 'Message' | 'Subject' | 'MessageAttributes'>): number {
  let bytes = Buffer.byteLength(message.Message) + Buffer.byteLength(message.Subject);
  for (const [name, value] of Object.entries(message.MessageAttributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
}

/**
 * The SNS messages for a whole report: one when it fits, otherwise parts sharing its reportId, each
 * under SNS's limit. Every part's machine bodies (sqs, lambda, email-json) are a complete report
 * with a slice of the results (in the report's order) and the counts of the whole report; part 1
 * carries the human summary (email, Slack), parts 2..n a one-line note. Every part carries the
 * report's attributes plus `part`, so a filter on the report's attributes takes all parts or none.
 * A report that is already one part of several (as the DLQ keeps it) stays that one part.
 */
export function buildSnsMessages(report: Report): SnsMessage[] {
  if (report.part.count > 1) return [buildSnsMessage(report)];
  const actions = actionsOf(report);
  const summary = humanBodies(report);
  const render = (part: Report) => renderMessage(part, part.part.index === 1 ? summary : partBodies(part), actions);

  // The message is its fixed part plus, per result, three escaped copies (email-json, sqs, lambda)
  // of the result's JSON and a comma. Measure the fixed part with an empty slice and the widest part
  // numbers, and the greedy cut below is exact enough never to overflow.
  const widest = { index: WIDEST_PART, count: WIDEST_PART };
  const overhead = (index: number) => snsMessageBytes(render({ ...report, part: index === 1 ? { index: 1, count: WIDEST_PART } : widest, results: [] }));
  const room1 = SNS_MESSAGE_BUDGET_BYTES - overhead(1);
  const roomRest = SNS_MESSAGE_BUDGET_BYTES - overhead(2);
  const cost = (r: Report['results'][number]) => 3 * (escapedBytes(JSON.stringify(r)) + 1);
  // Each result is serialized to be measured once, as it will be sent (clipped if it had to be).
  const fitted = report.results.map((r) => fitResult(r, roomRest, cost));
  const slices = partition(
    fitted,
    (f) => f.cost,
    (index) => (index === 1 ? room1 : roomRest),
  );
  return slices.map((slice, i) => render({ ...report, part: { index: i + 1, count: slices.length }, results: slice.map((f) => f.result) }));
}

/** Part numbers are measured as if they had this many digits; no region holds enough instances to need more. */
const WIDEST_PART = 999_999;

/**
 * The one message for a report as it is, keeping its own part number: for a part read back from the
 * DLQ. Part 1 gets the human summary of what it holds. Throws ReportTooLargeError if it does not fit
 * (use buildSnsMessages for a whole report).
 */
export function buildSnsMessage(report: Report): SnsMessage {
  const message = renderMessage(report, report.part.index === 1 ? humanBodies(report) : partBodies(report), actionsOf(report));
  const bytes = snsMessageBytes(message);
  if (bytes > SNS_MAX_MESSAGE_BYTES) {
    throw new ReportTooLargeError(
      `report ${report.reportId} part ${report.part.index} of ${report.part.count} is ${bytes} bytes, over SNS's ${SNS_MAX_MESSAGE_BYTES}: publish the whole report with buildSnsMessages`,
    );
  }
  return message;
}

interface HumanBodies {
  text: string;
  chatbot: string;
}

const humanBodies = (report: Report): HumanBodies => ({ text: renderText(report, TEXT_SUMMARY_LIMITS), chatbot: JSON.stringify(renderChatbot(report)) });
const partBodies = (part: Report): HumanBodies => ({ text: partLine(part), chatbot: JSON.stringify(renderChatbotPart(part)) });

/** One message, a body per protocol: people read text, Slack reads Chatbot JSON, machines read the report. */
function renderMessage(part: Report, human: HumanBodies, actions: readonly string[]): SnsMessage {
  const machine = JSON.stringify(part);
  return {
    Subject: subjectLine(part),
    Message: JSON.stringify({ default: human.text, email: human.text, 'email-json': machine, https: human.chatbot, sqs: machine, lambda: machine }),
    MessageStructure: 'json',
    MessageAttributes: messageAttributes(part, actions),
    report: part,
  };
}

const actionsOf = (report: Report) => [...new Set(report.results.map((r) => r.action))].sort();

/**
 * What subscribers filter on (filter policies match message attributes). All but `part` describe
 * the whole report: `actions` is passed in from it, `outcomes` comes from its counts.
 */
export function messageAttributes(report: Report, actions: readonly string[] = actionsOf(report)): Record<string, MessageAttributeValue> {
  return {
    outcome: { DataType: 'String', StringValue: report.outcome },
    account: { DataType: 'String', StringValue: report.account },
    region: { DataType: 'String', StringValue: report.region },
    dryRun: { DataType: 'String', StringValue: String(report.dryRun) },
    trigger: { DataType: 'String', StringValue: report.trigger.type },
    actions: { DataType: 'String.Array', StringValue: JSON.stringify(actions) },
    outcomes: { DataType: 'String.Array', StringValue: JSON.stringify(OUTCOMES.filter((o) => report.counts[o] > 0)) },
    part: { DataType: 'Number', StringValue: String(report.part.index) },
    // Organization mode, where known (SNS allows 10 attributes: these make 10).
    ...(report.accountName ? { accountName: { DataType: 'String', StringValue: report.accountName } } : {}),
    ...(report.ou ? { ou: { DataType: 'String', StringValue: report.ou } } : {}),
  };
}
