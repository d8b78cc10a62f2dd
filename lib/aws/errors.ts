import { AwsUnreachableError, OutOfTimeError, PermissionDeniedError, ProfileGuardError, ThrottledError, UnexpectedAwsError } from '../errors.js';
import type { AwsOperation } from './operations.js';

/** Where a failed call happened, for the message a reader sees. */
export interface CallContext {
  operation: string;
  instanceId?: string | undefined;
  profile?: string | undefined;
}

/** What the SDK's errors carry (service errors) or what Node's network errors carry (code). */
export interface AwsErrorShape {
  name?: string;
  message?: string;
  code?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

// Refused permissions, and credentials AWS does not accept (unknown, expired): a retry cannot help.
const PERMISSION_ERRORS = new Set([
  'UnauthorizedOperation',
  'AccessDenied',
  'AccessDeniedException',
  'Client.UnauthorizedOperation',
  'AuthorizationError',
  'AuthFailure',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
]);
const THROTTLING_ERRORS = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'Throttled']);
// Node's socket errors and the SDK's own timeout: the request may or may not have reached AWS.
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'NetworkingError']);

export function subjectOf(context: CallContext): string {
  return context.instanceId ? `${context.operation} on ${context.instanceId}` : context.operation;
}

/**
 * The translation every service shares: our deadline, the network, permissions, throttling and
 * the unknown. A service adapter tries its own error names first (see lib/aws/ec2.ts).
 */
export function translateAwsError(error: unknown, context: CallContext, hint: (context: CallContext) => string = defaultHint): ProfileGuardError {
  if (error instanceof ProfileGuardError) return error;
  const aws = (error ?? {}) as AwsErrorShape;
  const name = aws.name ?? 'UnknownError';
  const message = aws.message ?? String(error);
  const subject = subjectOf(context);
  const options = { cause: error };
  if (name === 'AbortError') {
    return new OutOfTimeError(
      `${subject}: cut off at the invocation's deadline; whether it took effect is unknown, a retry re-reads and finishes the job`,
      options,
    );
  }
  if (NETWORK_NAMES.has(name) || NETWORK_CODES.has(aws.code ?? '') || /socket hang up/i.test(message)) {
    return new AwsUnreachableError(`${subject}: could not reach AWS after the SDK's retries (${aws.code ?? name}: ${message})`, options);
  }
  if (PERMISSION_ERRORS.has(name)) return new PermissionDeniedError(`${subject}: ${name}; ${hint(context)}`, options);
  if (THROTTLING_ERRORS.has(name)) return new ThrottledError(`${subject}: throttled after the SDK's retries (${name})`, options);
  const status = aws.$metadata?.httpStatusCode ?? 0;
  return new UnexpectedAwsError(`${subject}: ${name}: ${message}`, status >= 500 || aws.$retryable !== undefined, options);
}

function defaultHint(context: CallContext): string {
  return `the caller likely lacks ${context.operation.includes(':') ? context.operation : `the permission for ${context.operation}`}`;
}

/** Sends one call with the scope's abort signal and turns any failure into a named error. */
/** The translation for one declared operation: its errors name it as the policy does. */
export function translatorFor(operation: AwsOperation): (error: unknown) => ProfileGuardError {
  return (error) => translateAwsError(error, { operation: operation.id });
}

export async function sendTranslated<T>(send: () => Promise<T>, translate: (error: unknown) => ProfileGuardError): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translate(error);
  }
}
