import * as z from 'zod';
import { isInstanceId } from '../model.js';
import { type EventKind, findEntry, valuesAt } from './catalogue.js';

/** More ids than any sane single call carries; past this the sweep is the right tool. */
export const MAX_IDS_PER_EVENT = 5000;

const envelopeSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  // Always set by AWS; moto's rule targets omit it, and the Lambda knows its account anyway.
  account: z.string().regex(/^\d{12}$/, 'account must be 12 digits').optional(),
  region: z.string().min(1),
  time: z.string().min(1),
  detail: z.record(z.string(), z.unknown()),
});

export interface EventContext {
  eventId: string;
  kind: EventKind;
  detailType: string;
  eventName?: string | undefined;
  account?: string | undefined;
  region: string;
  time: string;
  /** Who made the CloudTrail call (ARN), when the event says. */
  actor?: string | undefined;
}

export type ParsedEvent =
  | { status: 'accepted'; context: EventContext; instanceIds: string[]; droppedResources: number }
  | { status: 'ignored'; context: EventContext; reason: string }
  | { status: 'rejected'; eventId?: string | undefined; reason: string };

export interface ParseOptions {
  /** profile-guard's own role: its calls are echoes of our work, never drift. */
  selfRoleArn?: string | undefined;
}

/** Validates an EventBridge event and finds the instance ids it names. Never throws. */
export function parseEvent(raw: unknown, options: ParseOptions = {}): ParsedEvent {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) {
    const eventId = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : undefined;
    const problems = envelope.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ');
    return { status: 'rejected', eventId, reason: `not an EventBridge event: ${problems}` };
  }
  const event = envelope.data;
  const detail = event.detail;
  const eventName = typeof detail.eventName === 'string' ? detail.eventName : undefined;
  const entry = findEntry(event['detail-type'], eventName);
  if (!entry || event.source !== 'aws.ec2') {
    return { status: 'rejected', eventId: event.id, reason: `unsupported event: source ${event.source}, detail-type "${event['detail-type']}"${eventName ? `, eventName ${eventName}` : ''}` };
  }
  const identity = detail.userIdentity as { arn?: unknown; sessionContext?: { sessionIssuer?: { arn?: unknown } } } | undefined;
  const context: EventContext = {
    eventId: event.id,
    kind: entry.kind,
    detailType: event['detail-type'],
    eventName,
    account: event.account,
    region: event.region,
    time: event.time,
    actor: typeof identity?.arn === 'string' ? identity.arn : undefined,
  };
  if (typeof detail.errorCode === 'string') {
    return { status: 'ignored', context, reason: `the ${eventName} call failed (${detail.errorCode}); nothing changed` };
  }
  if (options.selfRoleArn && identity?.sessionContext?.sessionIssuer?.arn === options.selfRoleArn) {
    return { status: 'ignored', context, reason: 'made by profile-guard itself' };
  }

  const found = entry.idPaths.flatMap((path) => valuesAt(detail, path)).filter((v): v is string => typeof v === 'string');
  const instanceIds = [...new Set(found.filter(isInstanceId))];
  if (instanceIds.length > MAX_IDS_PER_EVENT) {
    return { status: 'rejected', eventId: event.id, reason: `event names ${instanceIds.length} instances, more than ${MAX_IDS_PER_EVENT}; the sweep will cover them` };
  }
  if (instanceIds.length === 0 && entry.kind !== 'tags-changed') {
    return { status: 'rejected', eventId: event.id, reason: `${entry.kind} event carries no instance id at ${entry.idPaths.join(' or ')}` };
  }
  return { status: 'accepted', context, instanceIds, droppedResources: new Set(found).size - instanceIds.length };
}
