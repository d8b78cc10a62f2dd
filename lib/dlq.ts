import * as z from 'zod';
import { partitionOf } from './aws/partition.js';
import { isAccount } from './events/fields.js';
import { UNPUBLISHED_REPORT_KIND } from './report/deliver.js';
import { type Report, storedReportSchema } from './report/schema.js';
import { namesOf } from './stack-names.js';

/**
 * Redrive acts on what the DLQ says, so a message body must never be able to steer it: who the stack is comes only
 * from trusted inputs (the queue the operator names, the caller's account, the region, an explicit stage), and a
 * message is handled only when it provably comes from that stack. Everything else is set aside with the reason.
 */

/** The biggest genuine dead letter: an EventBridge event (at most 256 KB) inside a Lambda destination record. */
export const MAX_DEAD_LETTER_BYTES = 272 * 1024;

/** This stack, derived from trusted inputs only. */
export interface Stack {
  /** `profile-guard-<stage>` */
  name: string;
  stage: string;
  account: string;
  region: string;
  partition: string;
  /** Unqualified function ARNs; destination records may add `:$LATEST` or a version. */
  functions: { remediate: string; sweep: string };
  eventRuleArns: readonly string[];
  sweepRuleArn: string;
  /** The configured topic: the only place an unpublished report is ever published. */
  topicArn: string;
}

export interface StackInputs {
  queueUrl: string;
  /** The caller's account, from STS. */
  account: string;
  region: string;
  stage?: string | undefined;
  /** --topic-arn or $TOPIC_ARN; the stack's own topic otherwise. */
  topicArn?: string | undefined;
}

const QUEUE_NAME = /^profile-guard-([\w-]+)-dlq$/;
const STAGE = /^[\w-]{1,64}$/;
const TOPIC_ARN = /^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w.-]{1,256}$/;
// sqs.<region>.amazonaws.com[.cn] (and -fips), or the legacy <region>.queue.amazonaws.com: the host names the region.
const SQS_HOST = /^(?:sqs(?:-fips)?\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?$/;

/** Derives this stack from the queue URL, the caller's account, the region and an optional stage; a problem is a usage error. */
export function stackFrom(inputs: StackInputs): { ok: true; stack: Stack } | { ok: false; problem: string } {
  const fail = (problem: string) => ({ ok: false as const, problem });
  let url: URL;
  try {
    url = new URL(inputs.queueUrl);
  } catch {
    return fail(`--queue-url is not a URL: ${printable(inputs.queueUrl)}`);
  }
  const [queueAccount, queueName, ...rest] = url.pathname.split('/').filter(Boolean);
  if (!queueAccount || !queueName || rest.length > 0 || !isAccount(queueAccount)) {
    return fail(`--queue-url must look like https://sqs.<region>.amazonaws.com/<account>/profile-guard-<stage>-dlq, not ${printable(inputs.queueUrl)}`);
  }
  const stage = QUEUE_NAME.exec(queueName)?.[1];
  if (!stage) return fail(`queue ${printable(queueName)} is not a profile-guard DLQ (profile-guard-<stage>-dlq)`);
  if (inputs.stage !== undefined && (!STAGE.test(inputs.stage) || inputs.stage !== stage)) {
    return fail(`--stage ${printable(inputs.stage)} does not match the queue ${queueName} (stage ${stage})`);
  }
  if (queueAccount !== inputs.account) {
    return fail(`the queue is in account ${queueAccount} but your credentials are for ${inputs.account}: redrive runs in the stack's own account`);
  }
  const host = SQS_HOST.exec(url.hostname);
  const queueRegion = host?.[1] ?? host?.[2];
  if (queueRegion && queueRegion !== inputs.region) {
    return fail(`the queue is in ${queueRegion} but redrive runs in ${inputs.region}: pass --region ${queueRegion}`);
  }
  if (inputs.topicArn !== undefined && !TOPIC_ARN.test(inputs.topicArn)) return fail(`--topic-arn is not an SNS topic ARN: ${printable(inputs.topicArn)}`);

  const { account, region } = inputs;
  const partition = partitionOf(region);
  const names = namesOf(stage);
  const fn = (name: string) => `arn:${partition}:lambda:${region}:${account}:function:${name}`;
  const rule = (name: string) => `arn:${partition}:events:${region}:${account}:rule/${name}`;
  return {
    ok: true,
    stack: {
      name: names.prefix,
      stage,
      account,
      region,
      partition,
      functions: { remediate: fn(names.functions.remediate), sweep: fn(names.functions.sweep) },
      eventRuleArns: names.eventRules.map(rule),
      sweepRuleArn: rule(names.sweepRule),
      topicArn: inputs.topicArn ?? `arn:${partition}:sns:${region}:${account}:${names.reportTopic}`,
    },
  };
}

export type LetterKind = 'failed-invocation' | 'failed-sweep' | 'undelivered-event' | 'unpublished-report';

/** What redrive may do with one message: handle it as one of this stack's, or set it aside (kept) and say why. */
export type DeadLetter =
  | { kind: 'failed-invocation'; functionArn: string; event: unknown }
  | { kind: 'failed-sweep'; origin: string }
  | { kind: 'undelivered-event'; ruleArn: string; event: unknown }
  | { kind: 'unpublished-report'; report: Report; topicArn: string }
  | { kind: 'set-aside'; looksLike: LetterKind | 'unknown'; reason: string };

// Every string a body supplies is bounded; a genuine ARN is far shorter.
const arn = z.string().max(2048);
const destinationRecord = z.object({ requestContext: z.object({ functionArn: arn }).loose(), requestPayload: z.unknown() }).loose();
const eventOrigin = z.object({ account: z.string().max(64), region: z.string().max(64) }).loose();
const looksScheduled = z.object({ 'detail-type': z.literal('Scheduled Event') }).loose();
const scheduledEvent = z.object({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event'), resources: z.array(arn).max(100) }).loose();
const unpublishedEnvelope = z.object({ kind: z.literal(UNPUBLISHED_REPORT_KIND), topicArn: arn.optional(), report: storedReportSchema }).loose();
const attributeValue = z.object({ StringValue: arn }).loose();

const setAside = (looksLike: LetterKind | 'unknown', reason: string): DeadLetter => ({ kind: 'set-aside', looksLike, reason });

/**
 * Reads one DLQ message as hostile input and decides what it may cause. Never throws: every body, however
 * malformed, big or forged, comes back as a verdict, so one bad message never blocks the others.
 */
export function classifyDeadLetter(body: string | undefined, attributes: unknown, stack: Stack): DeadLetter {
  if (!body) return setAside('unknown', 'the message has no body');
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_DEAD_LETTER_BYTES) return setAside('unknown', `the body is ${bytes} bytes, more than any genuine dead letter (${MAX_DEAD_LETTER_BYTES})`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return setAside('unknown', 'the body is not JSON');
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    // Own keys only: a body cannot reach the prototype chain through JSON.parse, but say so in code, not by luck.
    if (Object.hasOwn(json, 'kind') && (json as { kind: unknown }).kind === UNPUBLISHED_REPORT_KIND) return vouchForReport(json, stack);
    if (Object.hasOwn(json, 'requestContext')) return vouchForRecord(json, stack);
    if (Object.hasOwn(json, 'detail-type')) return vouchForEvent(json, attributes, stack);
  }
  return setAside('unknown', 'neither a Lambda destination record, an EventBridge event nor a profile-guard report');
}

/** A Lambda on-failure destination record: handled only when one of this stack's functions wrote it. */
function vouchForRecord(json: object, stack: Stack): DeadLetter {
  const record = destinationRecord.safeParse(json);
  if (!record.success) return setAside('failed-invocation', `a Lambda destination record, but ${firstIssue(record.error)}`);
  const { functionArn } = record.data.requestContext;
  const payload = record.data.requestPayload;
  const scheduled = looksScheduled.safeParse(payload).success;
  const fn = functionNamed(functionArn, stack);
  if (!fn) return setAside(scheduled ? 'failed-sweep' : 'failed-invocation', `from function ${printable(functionArn)}, not ${stack.name}-remediate or -sweep`);
  if (fn === 'sweep') {
    const problem = sweepProblem(payload, stack);
    return problem ? setAside('failed-sweep', `from this stack's sweep, but ${problem}`) : { kind: 'failed-sweep', origin: functionArn };
  }
  if (scheduled) return setAside('failed-sweep', 'a Scheduled Event in a remediate record: only a record of the sweep itself re-runs the sweep');
  const problem = originProblem(payload, stack);
  return problem ? setAside('failed-invocation', problem) : { kind: 'failed-invocation', functionArn, event: payload };
}

/** An event a rule could not deliver: EventBridge names the rule and target in message attributes. */
function vouchForEvent(json: object, attributes: unknown, stack: Stack): DeadLetter {
  const looksLike = looksScheduled.safeParse(json).success ? 'failed-sweep' : 'undelivered-event';
  const ruleArn = attribute(attributes, 'RULE_ARN');
  if (ruleArn === undefined) return setAside(looksLike, 'an EventBridge event without the RULE_ARN attribute EventBridge sets on every event it dead-letters');
  const sweepRule = ruleArn === stack.sweepRuleArn;
  if (!sweepRule && !stack.eventRuleArns.includes(ruleArn)) return setAside(looksLike, `from rule ${printable(ruleArn)}, not one of ${stack.name}'s rules`);
  const expected = sweepRule ? 'sweep' : 'remediate';
  const targetArn = attribute(attributes, 'TARGET_ARN');
  if (targetArn === undefined || functionNamed(targetArn, stack) !== expected) {
    return setAside(
      looksLike,
      `rule ${ruleArn} targets ${stack.functions[expected]}, but TARGET_ARN is ${targetArn === undefined ? 'missing' : printable(targetArn)}`,
    );
  }
  if (sweepRule) {
    const problem = sweepProblem(json, stack);
    return problem ? setAside('failed-sweep', `from this stack's sweep rule, but ${problem}`) : { kind: 'failed-sweep', origin: ruleArn };
  }
  const problem = originProblem(json, stack);
  return problem ? setAside('undelivered-event', problem) : { kind: 'undelivered-event', ruleArn, event: json };
}

/** A report SNS refused: published again only to the configured topic, and only if it is about this account and region. */
function vouchForReport(json: object, stack: Stack): DeadLetter {
  const envelope = unpublishedEnvelope.safeParse(json);
  if (!envelope.success) return setAside('unpublished-report', `a profile-guard report envelope, but ${firstIssue(envelope.error)}`);
  const { report, topicArn } = envelope.data;
  if (topicArn !== undefined && topicArn !== stack.topicArn) {
    return setAside(
      'unpublished-report',
      `names topic ${printable(topicArn)}, not the configured topic ${stack.topicArn}; reports go only to the configured topic`,
    );
  }
  if (report.account !== stack.account || report.region !== stack.region) {
    return setAside('unpublished-report', `a report about ${printable(report.account)} ${printable(report.region)}, not ${stack.account} ${stack.region}`);
  }
  return { kind: 'unpublished-report', report, topicArn: stack.topicArn };
}

const QUALIFIER = /^(?:\$LATEST|[1-9]\d{0,9})$/;

/** Which of this stack's functions an ARN names, with or without a `$LATEST` or version qualifier. */
function functionNamed(functionArn: string, stack: Stack): 'remediate' | 'sweep' | undefined {
  for (const name of ['remediate', 'sweep'] as const) {
    const base = stack.functions[name];
    if (functionArn === base || (functionArn.startsWith(`${base}:`) && QUALIFIER.test(functionArn.slice(base.length + 1)))) return name;
  }
  return undefined;
}

/** Why a sweep payload is not this stack's schedule firing in this account and region (undefined: it is). */
function sweepProblem(payload: unknown, stack: Stack): string | undefined {
  const event = scheduledEvent.safeParse(payload);
  if (!event.success) return 'its payload is not a Scheduled Event';
  if (!event.data.resources.includes(stack.sweepRuleArn)) return `its Scheduled Event does not name the sweep rule ${stack.sweepRuleArn}`;
  return originProblem(payload, stack);
}

/** Why an event is not about this account and region (undefined: it is). */
function originProblem(event: unknown, stack: Stack): string | undefined {
  const origin = eventOrigin.safeParse(event);
  if (!origin.success) return 'the event names no account and region, so nothing shows it is from this account';
  const { account, region } = origin.data;
  if (account === stack.account && region === stack.region) return undefined;
  return `the event is from ${printable(account)} ${printable(region)}, not ${stack.account} ${stack.region}`;
}

function attribute(attributes: unknown, name: string): string | undefined {
  if (typeof attributes !== 'object' || attributes === null || !Object.hasOwn(attributes, name)) return undefined;
  const value = attributeValue.safeParse((attributes as Record<string, unknown>)[name]);
  return value.success ? value.data.StringValue : undefined;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'it does not parse';
  return printable(`${issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : ''}${issue.message}`);
}

/** Text from a message body, safe to print on an operator's terminal: no control or bidi characters, bounded length. */
export function printable(text: string, max = 160): string {
  const clean = text.replace(/[\p{Cc}\p{Cf}]/gu, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
