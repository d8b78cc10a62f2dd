import type { Context } from 'aws-lambda';
import { runSweep } from '../lib/service.js';
import { observeInvocation } from '../lib/observe/invocation.js';
import { logger, observability, runtimeFor, whereFrom } from './runtime.js';

export const handler = async (_event: unknown, context: Context) => {
  logger.addContext(context);
  const where = whereFrom(context);
  return observeInvocation(observability, { trigger: 'sweep', functionName: context.functionName, account: where.account }, async (record) => {
    const outcome = await runSweep(runtimeFor(context), where);
    record(outcome);
    return { status: outcome.status, reason: outcome.reason, delivery: outcome.delivery, counts: outcome.report?.counts };
  });
};
