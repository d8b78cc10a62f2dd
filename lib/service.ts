import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Clients } from './aws/clients.js';
import type { TargetAccess } from './aws/credentials.js';
import type { Config } from './config.js';
import { type Deadline, NO_DEADLINE } from './deadline.js';
import { createEngine } from './engine.js';
import { describeError } from './errors.js';
import { parseEvent } from './events/parse.js';
import type { ReadStats } from './facts.js';
import type { Log } from './log.js';
import type { MappingTarget } from './mapping/overrides.js';
import type { Mapping } from './mapping/schema.js';
import type { Observed } from './observe/after-report.js';
import { targetOfEvent } from './org/target.js';
import { buildReport } from './report/build.js';
import { type Delivery, deliverReport } from './report/deliver.js';
import type { Report, Trigger } from './report/schema.js';
import { type InstanceResult, isUnfinished } from './result.js';
import { realSleep, type Sleep } from './retry.js';

/** Everything one invocation needs, built once per container by the handler (or once by the CLI). */
export interface Runtime {
  clients: Clients;
  config: Config;
  mapping: Mapping;
  log: Log;
  sleep?: Sleep;
  /** This invocation's deadlines (Lambda); none for the CLI. */
  deadlines?: InvocationDeadlines | undefined;
  /** Runs once the report is out (expired exceptions, Security Hub findings: lib/observe/after-report.ts); never throws. */
  afterReport?: ((report: Report, runtime: Runtime) => Promise<Observed>) | undefined;
  /** Organization mode: each event is acted on in its own account and region (lib/aws/credentials.ts). Absent: this account only. */
  targets?: TargetAccess | undefined;
}

/**
 * Two deadlines per invocation: instance work stops at `work`, and the report (publish, or the
 * DLQ when SNS fails) must be out by `report`, shortly before Lambda would kill the function.
 */
export interface InvocationDeadlines {
  work: Deadline;
  report: Deadline;
}

export interface RunOutcome {
  status: 'accepted' | 'ignored' | 'rejected';
  reason?: string | undefined;
  report?: Report | undefined;
  delivery?: Delivery | undefined;
  /**
   * Instances a later attempt would finish (retryable failures and changes deferred past the
   * cap): the event handler throws after its report so Lambda retries the event.
   */
  retryableFailures: number;
  /** Describe calls made: the API budget the benchmarks and the sweep test hold us to. */
  reads?: ReadStats | undefined;
  /** What ran after the report (findings imported or failed, exceptions that just expired): counted in the metrics. */
  observed?: Observed | undefined;
  /** A sweep stopped at the work deadline: the rest of the region waits (the organization worker hands the target on). */
  outOfTime?: boolean | undefined;
}

const IAM_BACKOFF = { attempts: 4, baseDelayMs: 1_000 };

/** `target` is where the instances live (the event's account, the swept account and its OU): it chooses a mapping override. */
function engineFor(runtime: Runtime, target: MappingTarget, ec2: EC2Client = runtime.clients.ec2) {
  const sleep = runtime.sleep ?? realSleep;
  const deadline = runtime.deadlines?.work ?? NO_DEADLINE;
  return createEngine({ ec2, sleep, backoff: { ...IAM_BACKOFF, sleep }, log: runtime.log, deadline, target }, runtime.mapping, runtime.config.engine);
}

interface ReportBase {
  account: string;
  accountName?: string | undefined;
  ou?: string | undefined;
  region: string;
  trigger: Trigger;
  rejected?: string | undefined;
  incomplete?: string | undefined;
}

async function finish(runtime: Runtime, base: ReportBase, results: InstanceResult[], reads?: ReadStats, unfinishedTarget = 0): Promise<RunOutcome> {
  const report = buildReport({ ...base, dryRun: runtime.config.engine.dryRun, results });
  const delivery = await deliverReport(runtime.clients, runtime.log, report, runtime.config, runtime.deadlines?.report);
  const observed = await runtime.afterReport?.(report, runtime);
  runtime.log.info('report', {
    reportId: report.reportId,
    outcome: report.outcome,
    counts: report.counts,
    delivery,
    results: results.map((r) => ({ instanceId: r.instanceId, action: r.action, outcome: r.outcome, error: r.error?.name })),
  });
  return {
    status: base.rejected ? 'rejected' : 'accepted',
    reason: base.rejected,
    report,
    delivery,
    retryableFailures: results.filter(isUnfinished).length + unfinishedTarget,
    reads,
    observed,
  };
}

/** One EventBridge event: parse, remediate the instances it names, report. Never throws for bad input. */
export async function runForEvent(runtime: Runtime, rawEvent: unknown, defaults: { account: string; region: string }): Promise<RunOutcome> {
  const parsed = parseEvent(rawEvent, { selfRoleArn: runtime.config.selfRoleArn });
  if (parsed.status === 'rejected') {
    runtime.log.warn('event rejected', { eventId: parsed.eventId, reason: parsed.reason });
    // Reported (at the failures level) so a misrouted rule is noticed, but never retried: the same bytes fail the same way.
    return finish(runtime, { ...defaults, trigger: { type: 'event', eventId: parsed.eventId }, rejected: parsed.reason }, []);
  }
  const { context } = parsed;
  if (parsed.status === 'ignored') {
    runtime.log.info('event ignored', { eventId: context.eventId, eventName: context.eventName, reason: parsed.reason });
    return { status: 'ignored', reason: parsed.reason, retryableFailures: 0 };
  }
  runtime.log.info('event accepted', {
    eventId: context.eventId,
    kind: context.kind,
    instanceIds: parsed.instanceIds,
    droppedResources: parsed.droppedResources,
    warnings: parsed.warnings,
  });
  if (parsed.instanceIds.length === 0) {
    return { status: 'ignored', reason: 'the event names no instances', retryableFailures: 0 };
  }
  const trigger: Trigger = {
    type: 'event',
    eventKind: context.kind,
    eventId: context.eventId,
    eventName: context.eventName ?? context.detailType,
    detailType: context.detailType,
    actor: context.actor,
    time: context.time,
  };
  const where = { account: context.account ?? defaults.account, region: context.region };
  let ec2 = runtime.clients.ec2;
  let account = where.account;
  if (runtime.targets) {
    const resolved = targetOfEvent(rawEvent, where);
    if ('mismatch' in resolved) return finish(runtime, { ...where, trigger, rejected: resolved.mismatch }, []);
    account = resolved.target.account;
    try {
      ec2 = await runtime.targets.ec2For(resolved.target, runtime.deadlines?.work ?? NO_DEADLINE);
    } catch (error) {
      return runTargetFailure(runtime, { ...where, trigger }, error);
    }
  }
  // An event does not say which OU its account is in: an OU-keyed override leaves it to the sweep (lib/mapping/overrides.ts).
  const engine = engineFor(runtime, { account }, ec2);
  const results = await engine.remediateIds(parsed.instanceIds);
  return finish(runtime, { ...where, trigger }, results, engine.stats);
}

export interface SweepOptions {
  onProgress?: ((done: number) => void) | undefined;
  /** The target account's EC2 client (organization mode); default: the runtime's own. */
  ec2?: EC2Client | undefined;
}

/** Every instance in the region, page by page, under one change budget and one report, even if listing stops early. */
export async function runSweep(
  runtime: Runtime,
  where: { account: string; region: string; trigger?: Trigger; accountName?: string | undefined; ou?: string | undefined },
  options: SweepOptions = {},
): Promise<RunOutcome> {
  const engine = engineFor(runtime, { account: where.account, ou: where.ou }, options.ec2);
  const { results, incomplete, outOfTime } = await engine.remediateAll(options.onProgress);
  if (incomplete) runtime.log.warn('sweep stopped early', { reason: incomplete });
  runtime.log.info('sweep read', { ...engine.stats, instances: results.length });
  const outcome = await finish(
    runtime,
    { account: where.account, accountName: where.accountName, ou: where.ou, region: where.region, trigger: where.trigger ?? { type: 'sweep' }, incomplete },
    results,
    engine.stats,
  );
  return outOfTime ? { ...outcome, outOfTime } : outcome;
}

/** Named instances (CLI --instance, redrive of a known list). */
export async function runForInstances(
  runtime: Runtime,
  instanceIds: readonly string[],
  where: { account: string; region: string; trigger: Trigger },
): Promise<RunOutcome> {
  const engine = engineFor(runtime, { account: where.account });
  const results = await engine.remediateIds(instanceIds);
  return finish(runtime, where, results, engine.stats);
}

/**
 * A target (account, region) that could not be reached at all: one report whose line names the
 * account (and the role, the SCP, the region) and says what to do; retried only if a retry can help.
 */
export async function runTargetFailure(
  runtime: Runtime,
  where: { account: string; region: string; trigger: Trigger; accountName?: string | undefined; ou?: string | undefined },
  error: unknown,
): Promise<RunOutcome> {
  const failure = describeError(error);
  return finish(runtime, { ...where, incomplete: `${failure.name}: ${failure.message}` }, [], undefined, failure.retryable ? 1 : 0);
}
