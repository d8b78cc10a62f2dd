import type { EC2Client } from '@aws-sdk/client-ec2';
import { carryOut } from './act/index.js';
import { EC2_FILTER_MAX_VALUES, chunk, mapWithConcurrency } from './batching.js';
import { type Decision, decide, writes } from './decide.js';
import {
  AssociationInTransitionError,
  AssociationRaceError,
  InstanceGoneError,
  InstanceNotReadyError,
  OutOfTimeError,
  ProfileNotVisibleError,
  describeError,
} from './errors.js';
import { type ReadStats, listAllFacts, newReadStats, readFacts } from './facts.js';
import type { Log } from './log.js';
import type { Mapping } from './mapping/schema.js';
import type { InstanceFacts } from './model.js';
import type { InstanceResult } from './result.js';
import type { Backoff, Sleep } from './retry.js';

export interface EngineOptions {
  dryRun: boolean;
  /** Blast-radius cap: at most this many instances changed per invocation. */
  maxChanges: number;
  /** Instances handled at once; keeps a burst inside EC2's mutating-call token bucket. */
  concurrency: number;
  /** How long to wait for a pending instance or a settling association before failing as retryable. */
  settleWaitMs: number;
  settlePollMs: number;
  /** How many times to re-read and decide again after someone else changed the association under us. */
  maxRaceRetries: number;
  /** DescribeInstances page size for the sweep (AWS allows at most 1,000). */
  sweepPageSize: number;
  /**
   * Milliseconds left before the invocation must wrap up (Lambda: remaining time minus a margin
   * for the report). No new instance work starts after it reaches zero.
   */
  timeLeftMs?: (() => number) | undefined;
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
}

export interface Engine {
  /** Remediates the named instances (an event's ids, an operator's --instance list). */
  remediateIds(instanceIds: readonly string[]): Promise<InstanceResult[]>;
  /**
   * Remediates every live instance in the region, page by page: the sweep. Never throws: if
   * listing stops early, what was done is returned with `incomplete` saying why.
   */
  remediateAll(onPage?: (done: number) => void): Promise<{ results: InstanceResult[]; incomplete?: string }>;
  readonly stats: ReadStats;
}

/** One engine per invocation: it owns that invocation's change budget and read counters. */
export function createEngine(deps: EngineDeps, mapping: Mapping, options: EngineOptions): Engine {
  const stats = newReadStats();
  let changesLeft = options.maxChanges;
  const takeChange = (): boolean => (changesLeft > 0 ? (changesLeft--, true) : false);

  const outOfTime = () => (options.timeLeftMs ? options.timeLeftMs() <= 0 : false);
  // A profile EC2 could not see for one instance will not appear for the next within this
  // invocation: fail the rest at once (still retryable) instead of backing off for each.
  const invisibleProfiles = new Map<string, ProfileNotVisibleError>();
  const targetProfile = (decision: Decision) => ('to' in decision.action ? decision.action.to : undefined);

  const rereadOne = async (instanceId: string): Promise<InstanceFacts> => {
    const [facts] = await readFacts(deps.ec2, [instanceId], stats);
    return facts as InstanceFacts;
  };

  const handle = async (initial: InstanceFacts): Promise<InstanceResult> => {
    let facts = initial;
    let decision = decide(facts, mapping);
    try {
      for (let races = 0; ; races++) {
        if (decision.action.kind === 'wait') throw notSettled(decision, options);
        if (!writes(decision)) return resultOf(facts, decision, passiveOutcome(decision));
        if (options.dryRun) return resultOf(facts, decision, 'planned');
        if (outOfTime()) throw new OutOfTimeError('the invocation ran out of time before this instance; a retry will finish it');
        const known = invisibleProfiles.get(targetProfile(decision) ?? '');
        if (known) throw known;
        if (!takeChange()) return resultOf(facts, decision, 'capped', `blast-radius cap of ${options.maxChanges} changes reached`);
        try {
          await carryOut(decision, { ec2: deps.ec2, backoff: deps.backoff });
          return resultOf(facts, decision, 'changed');
        } catch (error) {
          changesLeft++; // the change did not complete: give its budget back
          if (error instanceof ProfileNotVisibleError) invisibleProfiles.set(targetProfile(decision) ?? '', error);
          if (!(error instanceof AssociationRaceError) || races >= options.maxRaceRetries) throw error;
          deps.log.info('association changed under us; reading again', { instanceId: facts.instanceId, error: describeError(error) });
          facts = await rereadOne(facts.instanceId);
          decision = decide(facts, mapping);
        }
      }
    } catch (error) {
      if (error instanceof InstanceGoneError) {
        return resultOf(facts, { ...decision, action: { kind: 'skip', why: 'gone' } }, 'skipped', 'instance disappeared while we acted');
      }
      return { ...resultOf(facts, decision, 'failed'), error: describeError(error) };
    }
  };

  /**
   * Instances that are pending (or whose association is settling) are polled together, one batched
   * read per poll, within one bounded wait; whatever has not settled by then fails as retryable.
   */
  const remediateFacts = async (batch: readonly InstanceFacts[]): Promise<InstanceResult[]> => {
    const isWaiting = (facts: InstanceFacts) => decide(facts, mapping).action.kind === 'wait';
    const results = new Map<string, InstanceResult>();
    const settle = async (ready: readonly InstanceFacts[]) => {
      for (const result of await mapWithConcurrency(ready, options.concurrency, handle)) results.set(result.instanceId, result);
    };
    await settle(batch.filter((facts) => !isWaiting(facts)));
    let waiting = batch.filter(isWaiting);
    for (let waited = 0; waiting.length > 0 && waited < options.settleWaitMs && !outOfTime(); waited += options.settlePollMs) {
      deps.log.info('waiting for instances to settle', { instanceIds: waiting.map((f) => f.instanceId) });
      await deps.sleep(options.settlePollMs);
      let reread: InstanceFacts[];
      try {
        reread = await readFacts(deps.ec2, waiting.map((f) => f.instanceId), stats);
      } catch (error) {
        for (const facts of waiting) results.set(facts.instanceId, unreadResult(facts.instanceId, error));
        waiting = [];
        break;
      }
      await settle(reread.filter((facts) => !isWaiting(facts)));
      waiting = reread.filter(isWaiting);
    }
    await settle(waiting); // still waiting: handle() reports each as a retryable failure
    return batch.map((facts) => results.get(facts.instanceId) as InstanceResult);
  };

  return {
    stats,
    async remediateIds(instanceIds) {
      const results: InstanceResult[] = [];
      for (const ids of chunk([...new Set(instanceIds)], EC2_FILTER_MAX_VALUES)) {
        let facts: InstanceFacts[];
        try {
          facts = await readFacts(deps.ec2, ids, stats);
        } catch (error) {
          // A failed read must not hide the other chunks, and every id still gets a line in the report.
          results.push(...ids.map((instanceId) => unreadResult(instanceId, error)));
          continue;
        }
        results.push(...(await remediateFacts(facts)));
      }
      return results;
    },
    async remediateAll(onPage) {
      const results: InstanceResult[] = [];
      try {
        for await (const page of listAllFacts(deps.ec2, stats, options.sweepPageSize)) {
          results.push(...(await remediateFacts(page)));
          onPage?.(results.length);
          // The rest of the region waits for the next sweep; what was done is still reported.
          if (outOfTime()) return { results, incomplete: `ran out of time after ${results.length} instances; the next sweep covers the rest` };
        }
      } catch (error) {
        return { results, incomplete: `could not list instances after ${results.length}: ${describeError(error).message}` };
      }
      return { results };
    },
  };
}

function notSettled(decision: Decision, options: EngineOptions): Error {
  const NotReady = decision.action.kind === 'wait' && decision.action.why === 'association-transition' ? AssociationInTransitionError : InstanceNotReadyError;
  return new NotReady(`${decision.reason}; still so after waiting ${Math.round(options.settleWaitMs / 1000)}s, a retry will finish the job`);
}

function passiveOutcome(decision: Decision): InstanceResult['outcome'] {
  switch (decision.action.kind) {
    case 'skip':
      return 'skipped';
    case 'report-drift':
      return 'drift';
    default:
      return 'unchanged';
  }
}

function resultOf(facts: InstanceFacts, decision: Decision, outcome: InstanceResult['outcome'], reason = decision.reason): InstanceResult {
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
  return { instanceId, action: 'skip', outcome: 'failed', reason: 'could not read the instance', error: describeError(error) };
}
