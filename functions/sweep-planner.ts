import type { Context } from 'aws-lambda';
import { createOrganizationsClient, listAccountsUnder } from '../lib/aws/accounts.js';
import { ConfigInvalidError } from '../lib/errors.js';
import { loadOrgSettings } from '../lib/org/settings.js';
import { accountsToSweep, enqueueTargets, planTargets } from '../lib/org/sweep.js';
import { getRuntime, logger, tracer } from './runtime.js';

/**
 * Scheduled (organization mode): one FIFO message per governed account × region; the workers
 * sweep them. The schedule's time deduplicates a re-delivered schedule event.
 */
export const handler = async (event: { time?: unknown }, context: Context) => {
  logger.addContext(context);
  const runtime = getRuntime();
  const org = loadOrgSettings();
  if (!org?.sweepQueueUrl) throw new ConfigInvalidError('the sweep planner needs ORG_ID and SWEEP_QUEUE_URL (deploy with --param orgId=…)');
  if (org.accounts.length === 0 && org.targetOus.length === 0)
    throw new ConfigInvalidError('no accounts to sweep: set --param targetOus=ou-… (or a static --param accounts=…)');
  const organizations = createOrganizationsClient({ instrument: (client) => tracer.captureAWSv3Client(client) });
  const { accounts, suspended, details } = await accountsToSweep(org, (ous) => listAccountsUnder(organizations, ous));
  const targets = planTargets(accounts, org.regions, suspended);
  const period = typeof event?.time === 'string' ? event.time : new Date().toISOString();
  const sent = await enqueueTargets(runtime.clients.sqs, org.sweepQueueUrl, targets, period, 0, details);
  logger.info('sweep planned', { targets: sent, accounts: accounts.length, regions: org.regions, suspended: [...suspended] });
  return { targets: sent };
};
