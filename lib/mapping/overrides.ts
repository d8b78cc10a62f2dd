import type { Mapping, RuleSet } from './schema.js';

/** Where an instance lives, for choosing between the top-level rules and an override. */
export interface MappingTarget {
  account: string;
  /** The account's OU (or root) where known: Organizations tells the sweep planner; an event does not say. */
  ou?: string | undefined;
}

/** The rules that govern a target, and where they come from (for the report's reasons). */
export type Selection = { rules: RuleSet; from: string } | { unknown: string };

/**
 * The first override whose `accounts` holds the target's account, or whose `ous` holds its OU,
 * replaces the top-level rules (and the default, when it gives one); otherwise the top level applies.
 * An OU-keyed override met before any match while the OU is unknown makes the choice unknowable:
 * guessing "top level" would let an event undo what the sweep (which knows the OU) did, and back.
 */
export function selectRules(mapping: Pick<Mapping, 'rules' | 'default'> & { overrides?: Mapping['overrides'] | undefined }, target?: MappingTarget): Selection {
  const overrides = mapping.overrides ?? [];
  if (overrides.length === 0) return { rules: mapping, from: 'the mapping' };
  if (target === undefined) return { unknown: 'the mapping has overrides and the account is not known here' };
  for (const [i, override] of overrides.entries()) {
    const byAccount = override.accounts?.includes(target.account) ?? false;
    if (!byAccount && override.ous !== undefined && target.ou === undefined) {
      return {
        unknown: `account ${target.account}: its OU is not known here and overrides[${i}] is chosen by OU; the organization sweep, which knows it, manages it`,
      };
    }
    if (byAccount || (target.ou !== undefined && (override.ous?.includes(target.ou) ?? false))) {
      return { rules: { rules: override.rules, default: override.default ?? mapping.default }, from: `overrides[${i}]` };
    }
  }
  return { rules: mapping, from: 'the mapping' };
}
