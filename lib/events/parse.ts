import * as z from 'zod';
import { isInstanceId } from '../model.js';
import { type EventKind, findEntry, valuesAt } from './catalogue.js';
import { isAccount, isArn, isEventId, isIsoTime, isObject, isRegion, show } from './fields.js';

/** More ids than any sane single call carries; past this the sweep is the right tool. */
export const MAX_IDS_PER_EVENT = 5000;

const field = <T>(check: (value: unknown) => value is T, message: string) => z.custom<T>(check, { error: message });

// Every field that reaches a report, a log line or an SNS subject has its shape checked here; the
// rest of `detail` is only ever read along the catalogue's paths.
const envelopeSchema = z.object(
  {
    id: field(isEventId, 'must be 1 to 128 printable ASCII characters'),
    'detail-type': z.string({ error: 'must be a string' }),
    source: z.string({ error: 'must be a string' }),
    // Always set by AWS; moto's rule targets omit it, and the Lambda knows its account anyway.
    account: field(isAccount, 'must be 12 digits').optional(),
    region: field(isRegion, 'must be an AWS region such as us-east-1'),
    time: field(isIsoTime, 'must be an ISO-8601 date-time such as 2026-11-28T09:14:03Z'),
    detail: field(isObject, 'must be an object'),
  },
  { error: 'must be an object' },
);

export interface EventContext {
  eventId: string;
  kind: EventKind;
  detailType: string;
  eventName?: string | undefined;
  account?: string | undefined;
  region: string;
  time: string;
  /** Who made the CloudTrail call (ARN), when the event says so in the shape of an ARN. */
  actor?: string | undefined;
}

export type ParsedEvent =
  | { status: 'accepted'; context: EventContext; instanceIds: string[]; droppedResources: number; warnings: string[] }
  | { status: 'ignored'; context: EventContext; reason: string }
  | { status: 'rejected'; eventId?: string | undefined; reason: string };

export interface ParseOptions {
  /** profile-guard's own role: its calls are echoes of our work, never drift. */
  selfRoleArn?: string | undefined;
}

/**
 * Validates an EventBridge event and finds the instance ids it names. Never throws, whatever JSON it
 * is given. Everything it returns has been checked (account, region, event id, time, actor, ids), and
 * a reason quotes event values only through `show()`.
 */
export function parseEvent(raw: unknown, options: ParseOptions = {}): ParsedEvent {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) {
    const eventId = isObject(raw) && isEventId(raw.id) ? raw.id : undefined;
    const problems = envelope.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ');
    return { status: 'rejected', eventId, reason: `not an EventBridge event: ${problems}` };
  }
  const event = envelope.data;
  const detail = event.detail;
  const eventName = typeof detail.eventName === 'string' ? detail.eventName : undefined;
  const entry = findEntry(event['detail-type'], eventName);
  if (!entry || event.source !== 'aws.ec2') {
    const named = eventName === undefined ? '' : `, eventName ${show(eventName)}`;
    const reason = `unsupported event: source ${show(event.source)}, detail-type ${show(event['detail-type'])}${named}`;
    return { status: 'rejected', eventId: event.id, reason };
  }
  if (entry.eventNames && detail.eventSource !== 'ec2.amazonaws.com') {
    return { status: 'rejected', eventId: event.id, reason: `detail.eventSource: ${show(detail.eventSource)} is not ec2.amazonaws.com` };
  }

  const warnings: string[] = [];
  const identity = isObject(detail.userIdentity) ? detail.userIdentity : {};
  // The actor is only shown to people: a malformed one is left out, not a reason to leave the instances wrong.
  if (identity.arn !== undefined && !isArn(identity.arn)) warnings.push(`detail.userIdentity.arn: not an ARN (${show(identity.arn)}); left out of the report`);
  const context: EventContext = {
    eventId: event.id,
    kind: entry.kind,
    detailType: entry.detailType,
    // One of the catalogue's names by now, never arbitrary text.
    eventName: entry.eventNames ? eventName : undefined,
    account: event.account,
    region: event.region,
    time: event.time,
    actor: isArn(identity.arn) ? identity.arn : undefined,
  };
  if (typeof detail.errorCode === 'string') {
    return { status: 'ignored', context, reason: `the ${context.eventName ?? entry.detailType} call failed (${show(detail.errorCode)}); nothing changed` };
  }
  const issuer = isObject(identity.sessionContext) && isObject(identity.sessionContext.sessionIssuer) ? identity.sessionContext.sessionIssuer : {};
  if (options.selfRoleArn && issuer.arn === options.selfRoleArn) {
    return { status: 'ignored', context, reason: 'made by profile-guard itself' };
  }

  const found = new Set<string>();
  for (const path of entry.idPaths) {
    const walk = valuesAt(detail, path, MAX_IDS_PER_EVENT);
    if (walk.truncated) return tooMany(event.id, `detail.${path} holds more than ${MAX_IDS_PER_EVENT} values`);
    for (const value of walk.values) if (typeof value === 'string') found.add(value);
  }
  const instanceIds = [...found].filter(isInstanceId);
  if (instanceIds.length > MAX_IDS_PER_EVENT) return tooMany(event.id, `the event names ${instanceIds.length} instances, more than ${MAX_IDS_PER_EVENT}`);
  if (instanceIds.length === 0 && entry.withoutInstances !== 'drop') {
    const why = entry.withoutInstances?.(detail);
    if (why) return { status: 'ignored', context, reason: why };
    const where = entry.idPaths.map((p) => `detail.${p}`).join(' or ');
    return { status: 'rejected', eventId: event.id, reason: `${entry.kind} event carries no instance id at ${where}` };
  }
  return { status: 'accepted', context, instanceIds, droppedResources: found.size - instanceIds.length, warnings };
}

/** Past MAX_IDS_PER_EVENT the event is not read further: the sweep pages through the region instead. */
function tooMany(eventId: string, what: string): ParsedEvent {
  return { status: 'rejected', eventId, reason: `${what}; the sweep will cover them` };
}
