import { ProfileGuardError } from '../lib/errors.js';
import { isUnfinished } from '../lib/result.js';
import { type RunOutcome, runForEvent } from '../lib/service.js';
import { createHandler } from './runtime.js';

/**
 * Thrown after the report is out so Lambda retries the event (then sends it to the DLQ): some
 * instance failed retryably or was deferred past the change cap. The retry is idempotent:
 * what is already right is a no-op.
 */
export class RetryableFailuresError extends ProfileGuardError {
  readonly retryable = true;
}

function respond(outcome: RunOutcome) {
  const summary = { status: outcome.status, reason: outcome.reason, delivery: outcome.delivery, results: outcome.report?.results ?? [] };
  if (outcome.retryableFailures > 0) {
    const unfinished = summary.results.filter(isUnfinished).map((r) => `${r.instanceId}: ${r.error?.name ?? r.outcome}`);
    throw new RetryableFailuresError(`${outcome.retryableFailures} instance(s) not finished, a retry will: ${JSON.stringify(unfinished)}`);
  }
  return summary;
}

export const handler = createHandler('event', runForEvent, respond);
