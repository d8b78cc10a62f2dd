/**
 * The shapes of the event fields that reach a report, a log line or an SNS subject. Events are hostile
 * input: a value that does not have its field's shape is never copied anywhere, and `show()` is the
 * only way a raw value may appear in a reason (bounded, printable ASCII, quoted).
 */

/** 12 digits, as AWS writes account ids. */
export const ACCOUNT = /^\d{12}$/;

/**
 * AWS region names: a 2-4 letter prefix, 1-3 words, a number (us-east-1, us-gov-west-1, cn-north-1,
 * eu-central-2, us-iso-east-1, eusc-de-east-1). Checked only on strings of at most REGION_MAX
 * characters, so the pattern never runs over a huge string.
 */
export const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,3}-\d{1,2}$/;
export const REGION_MAX = 32;

/** EventBridge ids are UUIDs; other senders (tests, redrives) use short tokens. Printable ASCII, no spaces. */
export const EVENT_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * ISO-8601 date-time as EventBridge writes it (2026-11-28T09:14:03Z), with optional fractions and an
 * optional numeric offset. The date is then checked to exist.
 */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
export const TIME_MAX = 40;

/**
 * ARNs as CloudTrail names a caller: arn:partition:service:region:account:resource, printable ASCII
 * without spaces (IAM paths and session names allow `+=,.@_-/`). IAM caps a path at 512 characters and
 * a name at 64, so 1024 is generous.
 */
const ARN = /^arn:aws[a-z-]{0,16}:[a-z0-9-]{1,32}:[a-z0-9-]{0,32}:(?:\d{12})?:[\x21-\x7e]{1,960}$/;
export const ARN_MAX = 1024;

/** An AWS Organizations id (o-abc123defg), as a mapping or a stack parameter names one. */
export const ORG_ID = /^o-[a-z0-9]{10,32}$/;
/** An organizational unit (ou-ab12-cdef3456) or the organization's root (r-ab12). */
export const OU_OR_ROOT = /^(?:ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;

export function isOuOrRoot(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 80 && OU_OR_ROOT.test(value);
}

export function isAccount(value: unknown): value is string {
  return typeof value === 'string' && value.length === 12 && ACCOUNT.test(value);
}

export function isRegion(value: unknown): value is string {
  return typeof value === 'string' && value.length <= REGION_MAX && REGION.test(value);
}

export function isEventId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 128 && EVENT_ID.test(value);
}

export function isIsoTime(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > TIME_MAX || !ISO_TIME.test(value) || Number.isNaN(Date.parse(value))) return false;
  // Date.parse rolls 2026-02-30 over to March; a real timestamp names a day its month has.
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

export function isArn(value: unknown): value is string {
  return typeof value === 'string' && value.length <= ARN_MAX && ARN.test(value);
}

const SHOWN = 64;

/**
 * A value for a human to read in a reason: strings quoted, cut to 64 characters, anything outside
 * printable ASCII escaped (\uXXXX), so a control character or a right-to-left mark cannot forge a line
 * of a report; other values by their type only.
 */
export function show(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  const cut = value.slice(0, SHOWN);
  const escaped = cut.replace(/[^\x20-\x7e]|["\\]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return value.length > SHOWN ? `"${escaped}"... (${value.length} characters)` : `"${escaped}"`;
}

/** A plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
