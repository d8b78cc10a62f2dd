import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { createClients } from '../lib/aws/clients.js';
import { createTargetAccess, stsCredentialSource, type TargetAccess } from '../lib/aws/credentials.js';
import { createSecurityHubClient } from '../lib/aws/securityhub.js';
import { loadConfig } from '../lib/config.js';
import { deadlineIn } from '../lib/deadline.js';
import { ConfigInvalidError, describeError } from '../lib/errors.js';
import { validateMappingFile } from '../lib/mapping/load.js';
import { afterReport } from '../lib/observe/after-report.js';
import { type Observability, observeInvocation } from '../lib/observe/invocation.js';
import { createMetrics } from '../lib/observe/metrics.js';
import { DEFAULT_STAGE, loadObserveSettings } from '../lib/observe/settings.js';
import { hubOf, loadOrgSettings, type OrgSettings } from '../lib/org/settings.js';
import type { RunOutcome, Runtime } from '../lib/service.js';

export const logger = new Logger({ serviceName: 'profile-guard' });
export const tracer = new Tracer({ serviceName: 'profile-guard' });
export const metrics = createMetrics(process.env.STAGE || DEFAULT_STAGE);
export const observability: Observability = { metrics, tracer };

let runtime: Runtime | undefined;

/**
 * Time kept back at the end of an invocation for the report: a quarter of what is left, between
 * 3 s and 15 s (a publish that fails over to the DLQ takes two calls, each with its own retries).
 */
export function reportReserveMs(remainingMs: number): number {
  return Math.min(15_000, Math.max(3_000, remainingMs / 4));
}

/** The report must be out this long before Lambda's timeout: the function still has to return. */
const RETURN_MARGIN_MS = 1_000;

/** The container's runtime, with this invocation's deadlines taken from Lambda's remaining time. */
export function runtimeFor(context: Partial<Pick<Context, 'getRemainingTimeInMillis'>>): Runtime {
  const base = getRuntime();
  const remaining = context.getRemainingTimeInMillis;
  if (typeof remaining !== 'function') return base; // `serverless invoke local` may not provide it
  const left = remaining.call(context);
  return { ...base, deadlines: { work: deadlineIn(left - reportReserveMs(left)), report: deadlineIn(left - RETURN_MARGIN_MS) } };
}

/**
 * Built on first use and kept for the container's life. A bad environment or mapping throws
 * here, named, on every invocation (and is logged), rather than crashing module init.
 */
export function getRuntime(): Runtime {
  if (runtime) return runtime;
  try {
    const config = loadConfig();
    const { mapping, warnings } = validateMappingFile(config.mappingFile);
    // Once per container: a rule anyone who can tag an instance could use to get a profile.
    for (const warning of warnings) logger.warn('mapping warning', { warning });
    const instrument = <T>(client: T) => tracer.captureAWSv3Client(client);
    const clients = createClients({ instrument });
    const observe = loadObserveSettings();
    // Security Hub off (the default): no client, so no call can be made.
    const hub = observe.securityHub ? createSecurityHubClient({ instrument }) : undefined;
    const targets = targetAccessFor(loadOrgSettings(), config.selfRoleArn, instrument);
    runtime = { clients, config, mapping, log: logger, afterReport: afterReport({ hub, sweepPeriodSeconds: observe.sweepPeriodSeconds }), targets };
    return runtime;
  } catch (error) {
    // No instance is touched; the invocation fails, so the event is retried and then kept in the DLQ for redrive.
    logger.error('profile-guard cannot start: fix the configuration or mapping and redeploy', { error: describeError(error) });
    throw error;
  }
}

/**
 * Organization mode (ORG_ID set): each event and sweep target is reached in its own account through
 * the member role, credentials cached for the container's life. Single account: undefined.
 */
function targetAccessFor(org: OrgSettings | undefined, selfRoleArn: string | undefined, instrument: <T>(client: T) => T): TargetAccess | undefined {
  if (!org) return undefined;
  const home = hubOf(selfRoleArn);
  if (!home) throw new ConfigInvalidError('ORG_ID is set but SELF_ROLE_ARN is not the function role ARN: the hub account cannot be known');
  return createTargetAccess({
    hubAccount: home.account,
    partition: home.partition,
    sessionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'profile-guard',
    source: stsCredentialSource({ instrument }),
    suspended: org.suspended,
    clientOptions: { instrument },
  });
}

/** Lambda's own ARN says which account this is: arn:aws:lambda:region:ACCOUNT:function:name. */
export function whereFrom(context: Partial<Pick<Context, 'invokedFunctionArn'>>): { account: string; region: string } {
  // `serverless invoke local` passes a context without the ARN.
  const [, , , region = process.env.AWS_REGION ?? 'unknown', account = 'unknown'] = (context.invokedFunctionArn ?? '').split(':');
  return { account, region };
}

/**
 * A Lambda handler from the two things that differ between functions: what one run does, and
 * how its outcome becomes the function's result (which may throw, so Lambda retries). The rest
 * is the same for every function: the log context, the runtime with this invocation's
 * deadlines, and metrics and tracing recorded before `respond` and flushed on every path.
 */
export function createHandler<R>(
  trigger: 'event' | 'sweep',
  run: (runtime: Runtime, event: unknown, where: { account: string; region: string }) => Promise<RunOutcome>,
  respond: (outcome: RunOutcome) => R,
): (event: unknown, context: Context) => Promise<R> {
  return async (event, context) => {
    logger.addContext(context);
    const where = whereFrom(context);
    return observeInvocation(observability, { trigger, functionName: context.functionName, account: where.account }, async (record) => {
      const outcome = await run(runtimeFor(context), event, where);
      record(outcome);
      return respond(outcome);
    });
  };
}
