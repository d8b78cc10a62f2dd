import {
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  BatchImportFindingsCommand,
  GetFindingsCommand,
  type ImportFindingsError,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { type ClientOptions, configFor } from './clients.js';
import type { CallScope } from './ec2.js';
import { sendTranslated, translatorFor } from './errors.js';
import { operation } from './operations.js';

/**
 * Security Hub, only when the `securityHub` parameter is on: without it no client is built, no
 * call is made, and the generated policy has no Security Hub statement (lib/aws/index.ts).
 */
export const SECURITY_HUB_OPERATIONS = {
  // Resource: the account's own product, arn:<partition>:securityhub:<region>:<account>:product/<account>/default.
  importFindings: operation('securityhub:BatchImportFindings'),
  // Resource: the hub. Reads the findings profile-guard left open, to close them once the instance is right.
  getFindings: operation('securityhub:GetFindings'),
} as const;

/** What BatchImportFindings takes per call (AWS: 100 findings, 6 MB, 240 KB each). */
export const IMPORT_BATCH_MAX = 100;
/** GetFindings takes at most 20 values per filter attribute. */
export const FILTER_VALUES_MAX = 20;

export function createSecurityHubClient(options: ClientOptions = {}): SecurityHubClient {
  const instrument = options.instrument ?? (<T>(client: T) => client);
  return instrument(new SecurityHubClient(configFor('securityhub', options)));
}

/** One BatchImportFindings call (≤ 100 findings); the findings Security Hub refused come back, named. */
export async function importFindings(
  hub: SecurityHubClient,
  findings: readonly AwsSecurityFinding[],
  scope: CallScope = {},
): Promise<{ imported: number; refused: ImportFindingsError[] }> {
  if (findings.length > IMPORT_BATCH_MAX) throw new RangeError(`BatchImportFindings takes at most ${IMPORT_BATCH_MAX} findings, got ${findings.length}`);
  const out = await sendTranslated(
    () => hub.send(new BatchImportFindingsCommand({ Findings: [...findings] }), { abortSignal: scope.signal }),
    translatorFor(SECURITY_HUB_OPERATIONS.importFindings),
  );
  return { imported: out.SuccessCount ?? 0, refused: out.FailedFindings ?? [] };
}

/** Every finding the filters select, page by page (100 a page). */
export async function findFindings(hub: SecurityHubClient, filters: AwsSecurityFindingFilters, scope: CallScope = {}): Promise<AwsSecurityFinding[]> {
  const all: AwsSecurityFinding[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sendTranslated(
      () => hub.send(new GetFindingsCommand({ Filters: filters, MaxResults: 100, NextToken: nextToken }), { abortSignal: scope.signal }),
      translatorFor(SECURITY_HUB_OPERATIONS.getFindings),
    );
    all.push(...(page.Findings ?? []));
    nextToken = page.NextToken || undefined;
  } while (nextToken);
  return all;
}
