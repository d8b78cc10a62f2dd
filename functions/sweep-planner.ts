import type { Context } from 'aws-lambda';
import { ConfigInvalidError } from '../lib/errors.js';
import { enqueueTargets, planTargets } from '../lib/org/sweep.js';
import { loadOrgSettings } from '../lib/org/settings.js';
import { getRuntime, logger } from './runtime.js';

/**
 * Scheduled (organization mode): one FIFO message per governed account × region; the workers
 * sweep them. The schedule's time deduplicates a re-delivered schedule event.
 */
export const handler = async (event: { time?: unknown }, context: Context) => {
  logger.addContext(context);
  const runtime = getRuntime();
  const org = loadOrgSettings();
  if (!org?.sweepQueueUrl) throw new ConfigInvalidError('the sweep planner needs ORG_ID and SWEEP_QUEUE_URL (deploy with --param orgId=…)');
  if (org.accounts.length === 0) throw new ConfigInvalidError('no accounts to sweep: set --param accounts=111111111111,… (listing the target OUs through Organizations is not built yet)');
  const targets = planTargets(org.accounts, org.regions, org.suspended);
  const period = typeof event?.time === 'string' ? event.time : new Date().toISOString();
  const sent = await enqueueTargets(runtime.clients.sqs, org.sweepQueueUrl, targets, period);
  logger.info('sweep planned', { targets: sent, accounts: org.accounts.length, regions: org.regions, suspended: [...org.suspended] });
  return { targets: sent };
};
