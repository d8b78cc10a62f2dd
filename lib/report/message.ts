import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { truncateReport } from './build.js';
import { renderChatbot } from './chatbot.js';
import type { Report } from './schema.js';
import { subjectLine } from './summary.js';
import { renderText } from './text.js';

/** SNS's limit is 256 KiB for message plus attributes; leave room for the attributes and subject. */
export const SNS_MESSAGE_BUDGET_BYTES = 250 * 1024;

export interface SnsMessage {
  Subject: string;
  Message: string;
  MessageStructure: 'json';
  MessageAttributes: Record<string, MessageAttributeValue>;
  /** The report as sent (possibly truncated to fit). */
  report: Report;
}

/** One message, a body per protocol: people read text, Slack reads Chatbot JSON, machines read the report. */
export function renderProtocols(report: Report): string {
  const text = renderText(report);
  const machine = JSON.stringify(report);
  return JSON.stringify({ default: text, email: text, 'email-json': machine, https: JSON.stringify(renderChatbot(report)), sqs: machine, lambda: machine });
}

export function buildSnsMessage(report: Report): SnsMessage {
  const fitted = fitReport(report, (r) => Buffer.byteLength(renderProtocols(r)) <= SNS_MESSAGE_BUDGET_BYTES);
  return {
    Subject: subjectLine(fitted),
    Message: renderProtocols(fitted),
    MessageStructure: 'json',
    MessageAttributes: messageAttributes(fitted),
    report: fitted,
  };
}

/** The largest prefix of the results (most important first) that fits; a big event still gets a message. */
export function fitReport(report: Report, fits: (r: Report) => boolean): Report {
  if (fits(report)) return report;
  let low = 0;
  let high = report.results.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(truncateReport(report, mid))) low = mid;
    else high = mid - 1;
  }
  return truncateReport(report, low);
}

/** What subscribers filter on (filter policies match message attributes). */
export function messageAttributes(report: Report): Record<string, MessageAttributeValue> {
  const actions = [...new Set(report.results.map((r) => r.action))].sort();
  return {
    outcome: { DataType: 'String', StringValue: report.outcome },
    account: { DataType: 'String', StringValue: report.account },
    region: { DataType: 'String', StringValue: report.region },
    dryRun: { DataType: 'String', StringValue: String(report.dryRun) },
    trigger: { DataType: 'String', StringValue: report.trigger.type },
    actions: { DataType: 'String.Array', StringValue: JSON.stringify(actions) },
  };
}
