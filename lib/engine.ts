import type { EC2Client } from '@aws-sdk/client-ec2';
import { carryOut } from './act/index.js';
import { chunk, EC2_FILTER_MAX_VALUES, mapWithConcurrency } from './batching.js';
import { type Deadline, NO_DEADLINE } from './deadline.js';
import { type Decision, decide, writes } from './decide.js';
import {
  AssociationInTransitionError,
  AssociationRaceError,
  describeError,
  InstanceGoneError,
  InstanceNotReadyError,
  OutOfTimeError,
  ProfileNotVisibleError,
} from './errors.js';
import { listAllFacts, newReadStats, type ReadStats, readFacts } from './facts.js';
import type { Log } from './log.js';
import type { MappingTarget } from './mapping/overrides.js';
import type { Mapping } from './mapping/schema.js';
import type { InstanceFacts } from './model.js';
import type { InstanceResult, Outcome } from './result.js';
import type { Backoff, Sleep } from './retry.js';

export interface EngineOptions {
  dryRun: boolean;
  /** Blast-radius cap: at most this many instances changed per invocation; the rest are deferred. */
  maxChanges: number;
  /** Instances handled at once; keeps a burst inside EC2's mutating-call token bucket. */
  concurrency: number;
  /** How long to wait for a pending instance or a settling association. */
  settleWaitMs: number;
  settlePollMs: number;
  /** How many times to re-read and decide again after someone else changed the association under us. */
  maxRaceRetries: number;
  /** DescribeInstances page size for the sweep (AWS allows at most 1,000). */
  sweepPageSize: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  dryRun: false,
  maxChanges: 50,
  concurrency: 4,
  settleWaitMs: 20_000,
  settlePollMs: 2_500,
  maxRaceRetries: 2,
  sweepPageSize: 1000,
};

export interface EngineDeps {
  ec2: EC2Client;
  sleep: Sleep;
  /** Backoff for IAM propagation and for the association to clear after our own disassociate. */
  backoff: Backoff;
  log: Log;
  /**
   * When instance work must stop (Lambda: its timeout minus the time kept for the report). Every
   * AWS call carries its signal, and no instance is started once it has expired.
   */
  deadline?: Deadline | undefined;
  /** The account (and OU, where known) the instances live in: chooses a mapping override (lib/mapping/overrides.ts). */
  target?: MappingTarget | undefined;
}

export interface Engine {
  /** Remediates the named instances (an event's ids, an operator's --instance list). */
  remediateIds(instanceIds: readonly string[]): Promise<InstanceResult[]>;
  /**
   * Remediates every live instance in the region, page by page: the sweep. Never throws: if
   * listing stops early, what was done is returned with `incomplete` saying why.
   */
  remediateAll(onPage?: (done: number) => void): Promise<SweepResults>;
  readonly stats: ReadStats;
}

/** What one invocation shares across its instances: its change budget, read counters and what it learnt. */
interface Invocation {
  deps: EngineDeps & { deadline: Deadline };
  mapping: Mapping;
  options: EngineOptions;
  stats: ReadStats;
  changesLeft: number;
  /**
   * A profile EC2 could not see for one instance will not appear for the next within this
   * invocation: fail the rest at once (still retryable) instead of backing off for each.
   */
  invisibleProfiles: Map<string, ProfileNotVisibleError>;
}

/** One engine per invocation: it owns that invocation's change budget, deadline and read counters. */
export function createEngine(deps: EngineDeps, mapping: Mapping, options: EngineOptions): Engine {
  const run: Invocation = {
    deps: { ...deps, deadline: deps.deadline ?? NO_DEADLINE },
    mapping,
    options,
    stats: newReadStats(),
    changesLeft: options.maxChanges,
    invisibleProfiles: new Map(),
  };
  return {
    stats: run.stats,
    remediateIds: (instanceIds) => remediateIds(run, instanceIds),
    remediateAll: (onPage) => remediateAll(run, onPage),
  };
}

async function remediateIds(run: Invocation, instanceIds: readonly string[]): Promise<InstanceResult[]> {
  const results: InstanceResult[] = [];
  for (const ids of chunk([...new Set(instanceIds)], EC2_FILTER_MAX_VALUES)) {
    let facts: InstanceFacts[];
    try {
      if (run.deps.deadline.expired()) throw new OutOfTimeError('the invocation reached its deadline before reading this instance; a retry will finish it');
      facts = await readFacts(run.deps.ec2, ids, run.stats, run.deps.deadline);
    } catch (error) {
      // A failed read must not hide the other chunks, and every id still gets a line in the report.
      results.push(...ids.map((instanceId) => unreadResult(instanceId, error)));
      continue;
    }
    results.push(...(await remediateBatch(run, facts)));
  }
  return results;
}

/** What a sweep did; `incomplete` says why it stopped early, and `outOfTime` whether the deadline is why. */
export interface SweepResults {
  results: InstanceResult[];
  incomplete?: string;
  outOfTime?: boolean;
}

async function remediateAll(run: Invocation, onPage?: (done: number) => void): Promise<SweepResults> {
  const results: InstanceResult[] = [];
  // The rest of the region waits for the next sweep (or the next slice); what was done is still reported.
  const outOfTime = (): SweepResults => ({
    results,
    incomplete: `ran out of time after ${results.length} instances; the next sweep covers the rest`,
    outOfTime: true,
  });
  try {
    for await (const page of listAllFacts(run.deps.ec2, run.stats, run.options.sweepPageSize, run.deps.deadline)) {
      results.push(...(await remediateBatch(run, page)));
      onPage?.(results.length);
      if (run.deps.deadline.expired()) return outOfTime();
    }
  } catch (error) {
    if (error instanceof OutOfTimeError) return outOfTime();
    return { results, incomplete: `could not list instances after ${results.length}: ${describeError(error).message}` };
  }
  return { results };
}

const decideFor = (run: Invocation, facts: InstanceFacts) => decide(facts, run.mapping, new Date(), run.deps.target);

/** An instance read, with the decision made on it: decided once per read, not once per question. */
interface Decided {
  facts: InstanceFacts;
  decision: Decision;
}

/** Decides each instance once and splits them: ready to act on, or still settling. */
function triage(run: Invocation, batch: readonly InstanceFacts[]): { ready: Decided[]; waiting: Decided[] } {
  const decided = batch.map((facts) => ({ facts, decision: decideFor(run, facts) }));
  return { ready: decided.filter((d) => d.decision.action.kind !== 'wait'), waiting: decided.filter((d) => d.decision.action.kind === 'wait') };
}

/**
 * Instances that are pending (or whose association is settling) are polled together, one batched
 * read per poll, within one bounded wait; whatever has not settled by then is reported as
 * waiting (a pending instance: its `running` event finishes it) or fails as retryable.
 */
async function remediateBatch(run: Invocation, batch: readonly InstanceFacts[]): Promise<InstanceResult[]> {
  const results = new Map<string, InstanceResult>();
  const settle = async (ready: readonly Decided[]) => {
    for (const result of await mapWithConcurrency(ready, run.options.concurrency, (d) => remediateOne(run, d))) results.set(result.instanceId, result);
  };
  const first = triage(run, batch);
  await settle(first.ready);
  let waiting = first.waiting;
  const { settleWaitMs, settlePollMs } = run.options;
  for (let waited = 0; waiting.length > 0 && waited < settleWaitMs && run.deps.deadline.msLeft() > settlePollMs; waited += settlePollMs) {
    run.deps.log.info('waiting for instances to settle', { instanceIds: waiting.map((d) => d.facts.instanceId) });
    await run.deps.sleep(settlePollMs);
    let reread: InstanceFacts[];
    try {
      reread = await readFacts(
        run.deps.ec2,
        waiting.map((d) => d.facts.instanceId),
        run.stats,
        run.deps.deadline,
      );
    } catch (error) {
      for (const { facts } of waiting) results.set(facts.instanceId, unreadResult(facts.instanceId, error));
      waiting = [];
      break;
    }
    const next = triage(run, reread);
    await settle(next.ready);
    waiting = next.waiting;
  }
  for (const d of waiting) results.set(d.facts.instanceId, notSettledResult(run, d));
  return batch.map((facts) => results.get(facts.instanceId) as InstanceResult);
}

/** One instance: decide, then act within the budget and the deadline; a race re-reads and decides again. */
async function remediateOne(run: Invocation, initial: Decided): Promise<InstanceResult> {
  let { facts, decision } = initial;
  try {
    for (let races = 0; ; races++) {
      if (!writes(decision)) return resultOf(facts, decision, passiveOutcome(decision));
      if (run.options.dryRun) return resultOf(facts, decision, 'planned');
      if (run.deps.deadline.expired())
        throw new OutOfTimeError('not reached: the invocation reached its deadline before this instance; a retry will finish it');
      const target = targetProfile(decision);
      const known = run.invisibleProfiles.get(target);
      if (known) throw known;
      if (run.changesLeft <= 0) {
        return resultOf(
          facts,
          decision,
          'deferred',
          `deferred: the blast-radius cap of ${run.options.maxChanges} changes per invocation was reached; a retry of this event or the next sweep makes it`,
        );
      }
      run.changesLeft--;
      try {
        await carryOut(decision, { ec2: run.deps.ec2, backoff: run.deps.backoff, deadline: run.deps.deadline });
        return resultOf(facts, decision, 'changed');
      } catch (error) {
        run.changesLeft++; // the change did not complete: give its budget back
        if (error instanceof ProfileNotVisibleError) run.invisibleProfiles.set(target, error);
        if (!(error instanceof AssociationRaceError) || races >= run.options.maxRaceRetries) throw error;
        run.deps.log.info('association changed under us; reading again', { instanceId: facts.instanceId, error: describeError(error) });
        facts = await rereadOne(run, facts.instanceId);
        decision = decideFor(run, facts);
      }
    }
  } catch (error) {
    if (error instanceof InstanceGoneError) {
      return resultOf(facts, { ...decision, action: { kind: 'skip', why: 'gone' } }, 'skipped', 'instance disappeared while we acted');
    }
    return { ...resultOf(facts, decision, 'failed'), error: describeError(error) };
  }
}

/** After a race, DescribeInstances may lag behind the association someone just made: read it regardless. */
async function rereadOne(run: Invocation, instanceId: string): Promise<InstanceFacts> {
  const [facts] = await readFacts(run.deps.ec2, [instanceId], run.stats, { signal: run.deps.deadline.signal, alwaysReadAssociations: true });
  return facts as InstanceFacts;
}

const targetProfile = (decision: Decision) => ('to' in decision.action ? decision.action.to : '');

/** Still pending after the wait: the `running` event (or the sweep) finishes it. Anything else failed, retryably. */
function notSettledResult(run: Invocation, { facts, decision }: Decided): InstanceResult {
  const waited = `${Math.round(run.options.settleWaitMs / 1000)}s`;
  if (decision.action.kind === 'wait' && decision.action.why === 'instance-transition' && facts.state === 'pending') {
    return resultOf(facts, decision, 'waiting', `still pending after ${waited}; the running state-change event (or the sweep) finishes it`);
  }
  const NotReady = decision.action.kind === 'wait' && decision.action.why === 'association-transition' ? AssociationInTransitionError : InstanceNotReadyError;
  const error = new NotReady(`${decision.reason}; still so after waiting ${waited}, a retry will finish the job`);
  return { ...resultOf(facts, decision, 'failed'), error: describeError(error) };
}

function passiveOutcome(decision: Decision): Outcome {
  switch (decision.action.kind) {
    case 'skip':
      return 'skipped';
    case 'report-drift':
      return 'drift';
    default:
      return 'unchanged';
  }
}

function resultOf(facts: InstanceFacts, decision: Decision, outcome: Outcome, reason = decision.reason): InstanceResult {
  const { action } = decision;
  return {
    instanceId: facts.instanceId,
    name: facts.tags.get('Name'),
    state: facts.state,
    action: action.kind,
    from: decision.currentProfile,
    to: decision.desiredProfile,
    rule: decision.rule,
    imdsv2: decision.enforceImdsv2 || undefined,
    outcome,
    reason,
  };
}

function unreadResult(instanceId: string, error: unknown): InstanceResult {
  const reason = error instanceof OutOfTimeError ? 'not reached before the deadline' : 'could not read the instance';
  return { instanceId, action: 'skip', outcome: 'failed', reason, error: describeError(error) };
}
