import type { Context } from 'aws-lambda';
import { runSweep } from '../lib/service.js';
import { getRuntime, logger, whereFrom } from './runtime.js';

export const handler = async (_event: unknown, context: Context) => {
  logger.addContext(context);
  const outcome = await runSweep(getRuntime(), whereFrom(context));
  return { status: outcome.status, reason: outcome.reason, delivery: outcome.delivery, counts: outcome.report?.counts };
};
