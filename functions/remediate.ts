import type { Context } from 'aws-lambda';
import { ProfileGuardError } from '../lib/errors.js';
import { observeInvocation } from '../lib/observe/invocation.js';
import { runForEvent } from '../lib/service.js';
import { logger, observability, runtimeFor, whereFrom } from './runtime.js';

/**
 * Thrown after the report is out so Lambda retries the event (then sends it to the DLQ): some
 * instance failed retryably or was deferred past the change cap. The retry is idempotent:
 * what is already right is a no-op.
 */
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
      const unfinished = summary.results.filter((r) => r.error?.retryable || r.outcome === 'deferred').map((r) => `${r.instanceId}: ${r.error?.name ?? r.outcome}`);
      throw new RetryableFailuresError(`${outcome.retryableFailures} instance(s) not finished, a retry will: ${JSON.stringify(unfinished)}`);
    }
    return summary;
  });
};
