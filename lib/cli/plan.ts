import { isInstanceId } from '../model.js';
import type { Report } from '../report/schema.js';
import { profileChange, summaryLine } from '../report/summary.js';
import { table } from '../report/text.js';
import { type RunOutcome, type Runtime, runForInstances, runSweep } from '../service.js';
import { EXIT, type Io, type OperatorOptions, operatorRuntime, UsageError } from './context.js';

export interface PlanOptions extends OperatorOptions {
  instance?: string[] | undefined;
  json?: boolean | undefined;
}

/** Reads the account (or the named instances) and decides, under the given runtime. */
export async function evaluate(
  runtime: Runtime,
  where: { account: string; region: string },
  instanceIds: readonly string[] | undefined,
  io: Io,
): Promise<Report> {
  const trigger = { type: 'cli' as const };
  let outcome: RunOutcome;
  if (instanceIds && instanceIds.length > 0) {
    outcome = await runForInstances(runtime, instanceIds, { ...where, trigger });
  } else {
    outcome = await runSweep(runtime, { ...where, trigger }, { onProgress: (done) => io.err(`read ${done} instances...`) });
  }
  return outcome.report as Report;
}

export function checkInstanceIds(ids: readonly string[] | undefined): void {
  const bad = (ids ?? []).filter((id) => !isInstanceId(id));
  if (bad.length > 0) throw new UsageError(`not an instance id: ${bad.join(', ')} (expected i- followed by 8 to 17 hex digits)`);
}

export function planTable(report: Report): string {
  const rows = report.results.map((r) => [
    r.instanceId,
    r.name ?? '',
    r.state ?? '',
    profileChange(r.from, r.to),
    r.rule ?? '',
    r.imdsv2 ? `${r.action}+imdsv2` : r.action,
    r.outcome === 'planned' ? 'will change' : r.outcome,
  ]);
  return table(['INSTANCE', 'NAME', 'STATE', 'CURRENT -> DESIRED', 'RULE', 'ACTION', 'PLAN'], rows);
}

export async function planCommand(options: PlanOptions, io: Io): Promise<number> {
  checkInstanceIds(options.instance);
  const { runtime, account, region } = await operatorRuntime({ ...options, dryRun: true }, io);
  return showPlan(await evaluate(runtime, { account, region }, options.instance, io), options, io);
}

/** One target's plan: its table (or its JSON block), its problems on stderr, its summary line; exit 1 when it failed. */
export function showPlan(report: Report, options: Pick<PlanOptions, 'json'>, io: Io): number {
  const { account, region } = report;
  if (options.json) {
    io.out(JSON.stringify(report, null, 2));
  } else {
    if (report.results.length > 0) io.out(planTable(report));
    if (report.rejected) io.err(report.rejected);
    if (report.incomplete) io.err(`incomplete: ${report.incomplete}`);
    io.out(`${account} ${region}: ${summaryLine(report)}`);
  }
  return report.outcome === 'failed' ? EXIT.failed : EXIT.ok;
}
