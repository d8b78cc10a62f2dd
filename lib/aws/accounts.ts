import { ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { type ClientOptions, configFor } from './clients.js';
import type { CallScope } from './ec2.js';
import { sendTranslated, translatorFor } from './errors.js';
import { operation } from './operations.js';

export const ORGANIZATIONS_OPERATIONS = {
  listAccounts: operation('organizations:ListAccountsForParent'),
  listOus: operation('organizations:ListOrganizationalUnitsForParent'),
} as const;

/** An account under the target OUs, with where it sits (for reports) and whether it may be called. */
export interface MemberAccount {
  id: string;
  name?: string | undefined;
  ou: string;
  /** ACTIVE accounts are swept; SUSPENDED (closed) and pending ones get no call. */
  active: boolean;
}

/** Organizations is a global service: one client, in the hub's region (its endpoint is us-east-1 either way). */
export function createOrganizationsClient(options: ClientOptions = {}): OrganizationsClient {
  const client = new OrganizationsClient(configFor('organizations', options));
  return options.instrument ? options.instrument(client) : client;
}

/**
 * Every account under the given OUs, nested OUs included, each once (an account sits in exactly one
 * OU). A denied or failing call throws, named: the planner then sweeps nothing rather than a part
 * it cannot vouch for.
 */
export async function listAccountsUnder(client: OrganizationsClient, parents: readonly string[], scope: CallScope = {}): Promise<MemberAccount[]> {
  const accounts = new Map<string, MemberAccount>();
  const queue = [...new Set(parents)];
  const seen = new Set<string>();
  const listAccounts = translatorFor(ORGANIZATIONS_OPERATIONS.listAccounts);
  const listOus = translatorFor(ORGANIZATIONS_OPERATIONS.listOus);
  while (queue.length > 0) {
    const ParentId = queue.shift() as string;
    if (seen.has(ParentId)) continue;
    seen.add(ParentId);
    let token: string | undefined;
    do {
      const NextToken = token;
      const page = await sendTranslated(
        () => client.send(new ListAccountsForParentCommand({ ParentId, NextToken }), { abortSignal: scope.signal }),
        listAccounts,
      );
      for (const a of page.Accounts ?? []) {
        if (!a.Id) continue;
        // State replaces Status (retired September 2026); either says ACTIVE for a callable account.
        const state = a.State ?? a.Status;
        accounts.set(a.Id, { id: a.Id, name: a.Name, ou: ParentId, active: state === 'ACTIVE' });
      }
      token = page.NextToken;
    } while (token);
    do {
      const NextToken = token;
      const page = await sendTranslated(
        () => client.send(new ListOrganizationalUnitsForParentCommand({ ParentId, NextToken }), { abortSignal: scope.signal }),
        listOus,
      );
      for (const ou of page.OrganizationalUnits ?? []) if (ou.Id) queue.push(ou.Id);
      token = page.NextToken;
    } while (token);
  }
  return [...accounts.values()];
}
