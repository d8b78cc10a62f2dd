import type { Context } from 'aws-lambda';
import { runSweep } from '../lib/service.js';
import { logger, runtimeFor, whereFrom } from './runtime.js';

export const handler = async (_event: unknown, context: Context) => {
  logger.addContext(context);
  const outcome = await runSweep(runtimeFor(context), whereFrom(context));
  return { status: outcome.status, reason: outcome.reason, delivery: outcome.delivery, counts: outcome.report?.counts };
};
