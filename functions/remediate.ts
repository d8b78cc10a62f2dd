import type { Context } from 'aws-lambda';
import { ProfileGuardError } from '../lib/errors.js';
import { observeInvocation } from '../lib/observe/invocation.js';
import { runForEvent } from '../lib/service.js';
import { logger, observability, runtimeFor, whereFrom } from './runtime.js';

/** Thrown so Lambda retries the event (then sends it to the DLQ); the retry is idempotent. */
export class RetryableFailuresError extends ProfileGuardError {
  readonly retryable = true;
}

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  const where = whereFrom(context);
  // Metrics are recorded before the retryable throw below and flushed on every path.
  return observeInvocation(observability, { trigger: 'event', functionName: context.functionName, account: where.account }, async (record) => {
    const outcome = await runForEvent(runtimeFor(context), event, where);
    record(outcome);
    const summary = { status: outcome.status, reason: outcome.reason, delivery: outcome.delivery, results: outcome.report?.results ?? [] };
    if (outcome.retryableFailures > 0) {
      throw new RetryableFailuresError(`${outcome.retryableFailures} instance(s) failed with a retryable error: ${JSON.stringify(summary.results.filter((r) => r.error?.retryable).map((r) => `${r.instanceId}: ${r.error?.name}`))}`);
    }
    return summary;
  });
};
