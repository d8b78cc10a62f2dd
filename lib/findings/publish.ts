import type { AwsSecurityFinding, AwsSecurityFindingFilters, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { FILTER_VALUES_MAX, findFindings, IMPORT_BATCH_MAX, importFindings } from '../aws/securityhub.js';
import { chunk } from '../batching.js';
import { describeError } from '../errors.js';
import type { Log } from '../log.js';
import { CONTROLS, type Control, type FindingContent, type FindingScope, findingId, generatorId, productArn } from './asff.js';
import { type OpenFinding, planImports } from './plan.js';

/** What happened to the findings of one run: the FindingsImported and FindingsFailed metrics. */
export interface FindingsOutcome {
  imported: number;
  /** Findings Security Hub refused or a batch that failed, plus one for a lookup of open findings that failed. */
  failed: number;
}

/**
 * After a complete sweep: the open findings of `control` whose instance the sweep did not see as
 * `present` are closed with `close(instanceId)` (the instance is gone, or its exception tag was fixed).
 */
export interface CloseAbsent {
  control: Control;
  present: ReadonlySet<string>;
  close: (instanceId: string) => FindingContent;
}

export interface PublishInput {
  contents: readonly FindingContent[];
  closeAbsent?: readonly CloseAbsent[] | undefined;
}

/** Above this many findings to look up, list every open finding of ours instead of asking id by id (20 per call). */
const LOOKUP_BY_ID_MAX = 100;

/**
 * Imports a run's findings in batches of at most 100. Never throws: a failed lookup, a refused
 * finding or a failed batch is logged and counted, and the report (already out) is not affected.
 */
export async function publishFindings(
  deps: { hub: SecurityHubClient; log: Log; signal?: AbortSignal | undefined },
  scope: FindingScope,
  input: PublishInput,
  now: Date,
): Promise<FindingsOutcome> {
  const outcome: FindingsOutcome = { imported: 0, failed: 0 };
  let open = new Map<string, OpenFinding>();
  try {
    open = await openFindings(deps, scope, input);
  } catch (error) {
    // Without the open findings nothing can be closed and CreatedAt restarts; FAILED findings still go in.
    deps.log.error('could not read the open Security Hub findings; importing FAILED findings only', { error: describeError(error) });
    outcome.failed++;
  }
  const absent = (input.closeAbsent ?? []).flatMap((rule) =>
    [...open.values()].filter((f) => f.control === rule.control && !rule.present.has(f.instanceId)).map((f) => rule.close(f.instanceId)),
  );
  const findings = planImports(scope, [...input.contents, ...absent], open, now);
  for (const batch of chunk(findings, IMPORT_BATCH_MAX)) {
    try {
      const { imported, refused } = await importFindings(deps.hub, batch, { signal: deps.signal });
      outcome.imported += imported;
      outcome.failed += refused.length;
      for (const r of refused) deps.log.warn('Security Hub refused a finding', { id: r.Id, errorCode: r.ErrorCode, errorMessage: r.ErrorMessage });
    } catch (error) {
      outcome.failed += batch.length;
      deps.log.error('could not import a batch of Security Hub findings', { findings: batch.length, error: describeError(error) });
    }
  }
  return outcome;
}

/** Our ACTIVE findings among those the run may update: by id when few, else every open one of ours. */
async function openFindings(
  deps: { hub: SecurityHubClient; signal?: AbortSignal | undefined },
  scope: FindingScope,
  input: PublishInput,
): Promise<Map<string, OpenFinding>> {
  const ids = [...new Set(input.contents.map((c) => findingId(scope, c.instanceId, c.control)))];
  const listed: Control[] = ids.length > LOOKUP_BY_ID_MAX ? [...CONTROLS] : [...new Set((input.closeAbsent ?? []).map((c) => c.control))];
  const base: AwsSecurityFindingFilters = {
    ProductArn: [{ Value: productArn(scope), Comparison: 'EQUALS' }],
    RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
  };
  const found: AwsSecurityFinding[] = [];
  const call = { signal: deps.signal };
  if (listed.length > 0) {
    const generators = listed.map((c) => ({ Value: generatorId(c), Comparison: 'EQUALS' as const }));
    found.push(...(await findFindings(deps.hub, { ...base, GeneratorId: generators }, call)));
  }
  const byId = ids.filter((id) => !listed.some((c) => id.endsWith(`/${c}`)));
  for (const some of chunk(byId, FILTER_VALUES_MAX)) {
    found.push(...(await findFindings(deps.hub, { ...base, Id: some.map((id) => ({ Value: id, Comparison: 'EQUALS' })) }, call)));
  }
  // Checked again here: the filters are an optimisation (and moto ignores them).
  const open = new Map<string, OpenFinding>();
  for (const f of found) {
    const parsed = parseId(scope, f.Id);
    const ours = parsed && f.ProductArn === productArn(scope);
    if (!ours || f.RecordState !== 'ACTIVE' || f.Compliance?.Status !== 'FAILED' || !f.CreatedAt || !f.UpdatedAt) continue;
    open.set(f.Id as string, { id: f.Id as string, createdAt: f.CreatedAt, updatedAt: f.UpdatedAt, ...parsed });
  }
  return open;
}

function parseId(scope: FindingScope, id: string | undefined): { instanceId: string; control: Control } | undefined {
  const prefix = `profile-guard/${scope.account}/${scope.region}/`;
  if (!id?.startsWith(prefix)) return undefined;
  const [instanceId, control, ...rest] = id.slice(prefix.length).split('/');
  if (!instanceId || rest.length > 0 || !CONTROLS.includes(control as Control)) return undefined;
  return { instanceId, control: control as Control };
}
