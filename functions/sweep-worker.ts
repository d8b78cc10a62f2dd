import type { Context, SQSEvent } from 'aws-lambda';
import { ConfigInvalidError } from '../lib/errors.js';
import { loadOrgSettings } from '../lib/org/settings.js';
import { enqueueTargets, type SweepMessage, sweepOneTarget } from '../lib/org/sweep.js';
import { logger, runtimeFor } from './runtime.js';

/**
 * One account-region per message (FIFO, batch size 1): sweep it with the member role's credentials,
 * one report per target. A slice out of time hands the target on to a new message.
 */
export const handler = async (event: SQSEvent, context: Context) => {
  logger.addContext(context);
  const runtime = runtimeFor(context);
  const queueUrl = loadOrgSettings()?.sweepQueueUrl;
  if (!runtime.targets || !queueUrl) throw new ConfigInvalidError('the sweep worker needs ORG_ID and SWEEP_QUEUE_URL (deploy with --param orgId=…)');
  const results = [];
  for (const record of event.Records ?? []) {
    const handOn = async (message: SweepMessage) => {
      const detail = new Map([[message.account, { accountName: message.accountName, ou: message.ou }]]);
      await enqueueTargets(
        runtime.clients.sqs,
        queueUrl,
        [{ account: message.account, region: message.region }],
        record.messageId,
        message.continuation,
        detail,
      );
    };
    const outcome = await sweepOneTarget(runtime, runtime.targets, record.body, handOn);
    // A malformed message is dropped (the same bytes fail the same way), and said so.
    if (outcome.status === 'rejected') logger.error('sweep message rejected', { messageId: record.messageId, reason: outcome.reason });
    else
      logger.info('target swept', {
        ...outcome.target,
        outcome: outcome.outcome.report?.outcome,
        counts: outcome.outcome.report?.counts,
        handedOn: outcome.handedOn,
      });
    results.push(outcome.status === 'rejected' ? outcome : { status: outcome.status, ...outcome.target, outcome: outcome.outcome.report?.outcome });
  }
  return { results };
};
