import { type CredentialSource, createTargetAccess, MEMBER_ROLE_NAME, stsCredentialSource, type Target } from '../aws/credentials.js';
import { type ApplyOptions, applyIn } from '../cli/apply.js';
import { EXIT, type Io, operatorRuntime, UsageError } from '../cli/context.js';
import { evaluate, type PlanOptions, showPlan } from '../cli/plan.js';
import { describeError } from '../errors.js';
import { isAccount, isRegion } from '../events/fields.js';
import { runTargetFailure } from '../service.js';
import { listParam } from './settings.js';
import { planTargets } from './sweep.js';

/** `--account A,B --regions r1,r2 [--role name]`: the targets of one CLI run, across accounts. */
export interface TargetOptions {
  account?: string[] | undefined;
  regions?: string[] | undefined;
  role?: string | undefined;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** Whether the options ask for a run across accounts or regions (else the single-account commands run unchanged). */
export function wantsTargets(options: TargetOptions): boolean {
  return Boolean(options.account?.length || options.regions?.length);
}

/** Every bad value named at once; a usage error (exit 2) before any call. */
export function checkTargetOptions(options: TargetOptions): void {
  const problems = [
    ...(options.account ?? []).filter((a) => !isAccount(a)).map((a) => `--account: ${JSON.stringify(a)} is not a 12-digit account id`),
    ...(options.regions ?? []).filter((r) => !isRegion(r)).map((r) => `--regions: ${JSON.stringify(r)} is not a region`),
    ...(options.role !== undefined && !ROLE_NAME.test(options.role) ? [`--role: ${JSON.stringify(options.role)} is not an IAM role name`] : []),
  ];
  if (problems.length > 0) throw new UsageError(problems.join('; '));
}

/** Comma-separated, repeatable: `--account 1,2 --account 3`. */
export const commaList = (value: string, previous: string[] = []): string[] => [...previous, ...listParam(value)];

interface TargetRun {
  /** Where credentials come from; the tests inject refusals here (moto enforces no trust policy). */
  source?: CredentialSource | undefined;
}

/**
 * Runs `each` once per account × region with that target's EC2 client; a target that cannot be
 * reached gets one error line (and, with --json, its failed report as its block) and the others go on.
 */
async function acrossTargets(
  options: TargetOptions & PlanOptions,
  io: Io,
  run: TargetRun,
  each: (ec2Runtime: Awaited<ReturnType<typeof operatorRuntime>>['runtime'], target: Target) => Promise<number>,
): Promise<number> {
  checkTargetOptions(options);
  const { runtime, account: home, region: homeRegion } = await operatorRuntime({ ...options, dryRun: true }, io);
  const targets = planTargets(options.account?.length ? options.account : [home], options.regions?.length ? options.regions : [homeRegion]);
  const access = createTargetAccess({
    hubAccount: home,
    roleName: options.role ?? MEMBER_ROLE_NAME,
    sessionName: 'profile-guard-cli',
    source: run.source ?? stsCredentialSource(),
  });
  let code: number = EXIT.ok;
  for (const target of targets) {
    let ec2: Awaited<ReturnType<typeof access.ec2For>>;
    try {
      ec2 = await access.ec2For(target);
    } catch (error) {
      const failure = describeError(error);
      io.err(`${target.account} ${target.region}: unreachable: ${failure.name}: ${failure.message}`);
      if (options.json) io.out(JSON.stringify((await runTargetFailure(runtime, { ...target, trigger: { type: 'cli' } }, error)).report, null, 2));
      code = EXIT.failed;
      continue;
    }
    const result = await each({ ...runtime, clients: { ...runtime.clients, ec2 } }, target);
    if (result !== EXIT.ok) code = EXIT.failed;
  }
  return code;
}

export async function planTargetsCommand(options: TargetOptions & PlanOptions, io: Io, run: TargetRun = {}): Promise<number> {
  return acrossTargets(options, io, run, async (runtime, target) => showPlan(await evaluate(runtime, target, options.instance, io), options, io));
}

export async function applyTargetsCommand(options: TargetOptions & ApplyOptions, io: Io, run: TargetRun = {}): Promise<number> {
  if (!options.yes && !io.isInteractive) throw new UsageError('apply changes instances: run it on a terminal to confirm, or pass --yes');
  return acrossTargets(options, io, run, (runtime, target) => applyIn(runtime, target, options, io));
}
