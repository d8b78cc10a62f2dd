import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { MemberAccount } from '../aws/accounts.js';
import type { Target, TargetAccess } from '../aws/credentials.js';
import { sendMessage } from '../aws/sqs.js';
import { NO_DEADLINE } from '../deadline.js';
import { isAccount, isRegion, OU_OR_ROOT } from '../events/fields.js';
import { type RunOutcome, type Runtime, runSweep, runTargetFailure } from '../service.js';
import type { OrgSettings } from './settings.js';

/**
 * The organization sweep: a planner lists account × region and puts one FIFO message per target
 * (group = account/region, so two sweeps of one target never overlap); a worker sweeps one target
 * per message with that account's member credentials. A target that fails is its own report.
 */
/** A target that keeps running out of time is not handed on forever: the next scheduled sweep starts it again. */
const MAX_CONTINUATIONS = 100;

export const sweepMessageSchema = z.strictObject({
  kind: z.literal('profile-guard.sweep-target'),
  account: z.custom<string>(isAccount, { error: 'must be 12 digits' }),
  region: z.custom<string>(isRegion, { error: 'must be an AWS region such as us-east-1' }),
  /** How many times this target was handed on because its slice ran out of time. */
  continuation: z.number().int().min(0).max(MAX_CONTINUATIONS).default(0),
  /** Where known (from Organizations), for the report: an account owner chooses the name, so its shape is checked. */
  accountName: z
    .string()
    .regex(/^[\x20-\x7e]{1,50}$/, 'must be 1 to 50 printable ASCII characters')
    .optional(),
  ou: z.string().regex(OU_OR_ROOT, 'must be an OU or root id').optional(),
});
export type SweepMessage = z.infer<typeof sweepMessageSchema>;

/** Every governed target: the active accounts × the regions, suspended accounts left out, duplicates removed. */
export function planTargets(accounts: readonly string[], regions: readonly string[], suspended: ReadonlySet<string> = new Set()): Target[] {
  const active = [...new Set(accounts)].filter((account) => !suspended.has(account));
  return active.flatMap((account) => [...new Set(regions)].map((region) => ({ account, region })));
}

/** What the reports say about an account besides its id, where Organizations told us. */
export interface AccountDetail {
  accountName?: string | undefined;
  ou?: string | undefined;
}

/**
 * Which accounts to sweep: the static `accounts` list when given, else the target OUs' accounts
 * (nested OUs included) from Organizations. Suspended or closed accounts are left out: no call at all.
 */
export async function accountsToSweep(
  org: Pick<OrgSettings, 'accounts' | 'targetOus' | 'suspended'>,
  list: (ous: readonly string[]) => Promise<MemberAccount[]>,
): Promise<{ accounts: string[]; suspended: Set<string>; details: Map<string, AccountDetail> }> {
  if (org.accounts.length > 0) return { accounts: org.accounts, suspended: org.suspended, details: new Map() };
  const listed = await list(org.targetOus);
  const inactive = listed.filter((a) => !a.active).map((a) => a.id);
  const details = new Map(listed.map((a) => [a.id, { accountName: a.name, ou: a.ou }]));
  return { accounts: listed.filter((a) => a.active).map((a) => a.id), suspended: new Set([...org.suspended, ...inactive]), details };
}

/** One message per target. `period` (the schedule's time) makes a re-sent plan for the same run a duplicate FIFO drops. */
export async function enqueueTargets(
  sqs: SQSClient,
  queueUrl: string,
  targets: readonly Target[],
  period: string,
  continuation = 0,
  details: ReadonlyMap<string, AccountDetail> = new Map(),
): Promise<number> {
  for (const target of targets) {
    // A name that would not pass the worker's check is left out rather than sinking the target.
    const detail = sweepMessageSchema.safeParse({ kind: 'profile-guard.sweep-target', ...target, ...details.get(target.account) });
    const known = detail.success ? { accountName: detail.data.accountName, ou: detail.data.ou } : {};
    const message: SweepMessage = { kind: 'profile-guard.sweep-target', ...target, ...known, continuation };
    const group = `${target.account}/${target.region}`;
    await sendMessage(
      sqs,
      queueUrl,
      JSON.stringify(message),
      {},
      {},
      { groupId: group, deduplicationId: `${group}/${period}/${continuation}`.replace(/[^\w!-/:-@[-`{-~]/g, '-').slice(0, 128) },
    );
  }
  return targets.length;
}

export type WorkerOutcome = { status: 'rejected'; reason: string } | { status: 'swept'; target: Target; outcome: RunOutcome; handedOn: boolean };

/**
 * One message: sweep that target. A malformed message is rejected without any call; a slice that
 * runs out of time hands the target on (a new message) so the next slice finishes it — what is
 * already right is a no-op there, so no page token is needed for correctness.
 */
export async function sweepOneTarget(
  runtime: Runtime,
  targets: TargetAccess,
  body: string,
  handOn: (message: SweepMessage) => Promise<void>,
): Promise<WorkerOutcome> {
  let parsed: ReturnType<typeof sweepMessageSchema.safeParse>;
  try {
    parsed = sweepMessageSchema.safeParse(JSON.parse(body));
  } catch {
    return { status: 'rejected', reason: 'the sweep message is not JSON' };
  }
  if (!parsed.success)
    return {
      status: 'rejected',
      reason: `invalid sweep message: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')}`,
    };
  const { account, region, continuation, accountName, ou } = parsed.data;
  const target = { account, region };
  const named = { accountName, ou };
  const trigger = { type: 'sweep' as const };
  let ec2: Awaited<ReturnType<TargetAccess['ec2For']>>;
  try {
    ec2 = await targets.ec2For(target, runtime.deadlines?.work ?? NO_DEADLINE);
  } catch (error) {
    // Named and reported; handed on only if a retry can help (out of time, STS throttled), never for a denied role.
    const outcome = await runTargetFailure(runtime, { ...target, ...named, trigger }, error);
    const handedOn = outcome.retryableFailures > 0 && continuation < MAX_CONTINUATIONS;
    if (handedOn) await handOn({ ...parsed.data, continuation: continuation + 1 });
    return { status: 'swept', target, outcome, handedOn };
  }
  const outcome = await runSweep(runtime, { ...target, ...named, trigger }, { ec2 });
  const handedOn = outcome.outOfTime === true && continuation < MAX_CONTINUATIONS;
  if (handedOn) await handOn({ ...parsed.data, continuation: continuation + 1 });
  return { status: 'swept', target, outcome, handedOn };
}
