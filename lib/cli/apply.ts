import { renderText } from '../report/text.js';
import { type Runtime, runForInstances } from '../service.js';
import { EXIT, type Io, operatorRuntime, UsageError } from './context.js';
import { checkInstanceIds, evaluate, type PlanOptions, planTable } from './plan.js';

export interface ApplyOptions extends PlanOptions {
  yes?: boolean | undefined;
}

/** Plans, shows the plan, asks, then carries out exactly the planned changes (each re-read and re-decided). */
export async function applyCommand(options: ApplyOptions, io: Io): Promise<number> {
  checkInstanceIds(options.instance);
  if (!options.yes && !io.isInteractive) throw new UsageError('apply changes instances: run it on a terminal to confirm, or pass --yes');
  const { runtime, account, region } = await operatorRuntime({ ...options, dryRun: true }, io);
  return applyIn(runtime, { account, region }, options, io);
}

/** Plan, confirm and apply in one account and region, with the runtime's EC2 client (the operator's, or a member role's). */
export async function applyIn(runtime: Runtime, where: { account: string; region: string }, options: ApplyOptions, io: Io): Promise<number> {
  const { account, region } = where;
  const plan = await evaluate(runtime, { account, region }, options.instance, io);
  const toChange = plan.results.filter((r) => r.outcome === 'planned').map((r) => r.instanceId);
  if (toChange.length === 0) {
    io.out(`Nothing to do: ${plan.results.length} instances already match the mapping (or are skipped).`);
    return plan.outcome === 'failed' ? EXIT.failed : EXIT.ok;
  }
  io.out(planTable({ ...plan, results: plan.results.filter((r) => r.outcome === 'planned') }));
  if (!options.yes) {
    const answer = await io.ask(`Change ${toChange.length} instance(s) in ${account} ${region}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      io.out('Aborted: nothing was changed.');
      return EXIT.failed;
    }
  }
  const live = { ...runtime, config: { ...runtime.config, engine: { ...runtime.config.engine, dryRun: false } } };
  const outcome = await runForInstances(live, toChange, { account, region, trigger: { type: 'cli' } });
  const report = outcome.report;
  if (!report) return EXIT.failed;
  io.out(renderText(report));
  return report.outcome === 'failed' ? EXIT.failed : EXIT.ok;
}
