import { globIncludes, type InclusionBudget, newInclusionBudget } from './glob-inclusion.js';
import { type Mapping, type MappingRule, NO_PROFILE, namedProfiles, ruleSets } from './schema.js';

/**
 * Problems the schema cannot see: a rule no instance can ever reach (an earlier rule matches
 * everything it would), and one profile spelled two ways (IAM names are case-insensitive, so
 * they are the same profile, and the policy and reports would disagree on its name).
 */
export function lintMapping(mapping: Mapping): string[] {
  const problems: string[] = [];
  const budget = newInclusionBudget();
  for (const { where, rules } of ruleSets(mapping)) {
    rules.forEach((rule, j) => {
      for (let shadow = 0; shadow < j; shadow++) {
        const earlier = rules[shadow] as MappingRule;
        if (!covers(earlier, rule, budget)) continue;
        problems.push(
          `${where}rule ${j} "${rule.name}": unreachable: ${where}rule ${shadow} "${earlier.name}" matches every instance it would (first match wins); move it above or narrow the earlier rule`,
        );
        break;
      }
    });
  }
  const spellings = new Map<string, Set<string>>();
  for (const profile of [...namedProfiles(mapping), ...Object.keys(mapping.roles)]) {
    if (profile === NO_PROFILE) continue;
    const key = profile.toLowerCase();
    spellings.set(key, (spellings.get(key) ?? new Set()).add(profile));
  }
  for (const names of spellings.values()) {
    if (names.size > 1) problems.push(`profile named with different casing: ${[...names].join(', ')}; IAM names are case-insensitive, use one spelling`);
  }
  return problems;
}

/**
 * True when every instance `later` matches is also matched by `earlier`: each network list of
 * `earlier` contains `later`'s, and each of `earlier`'s tag patterns includes the language of
 * `later`'s pattern on the same key (`prod*` covers `prod-eu-*`, `"*"` covers anything).
 */
function covers(earlier: MappingRule, later: MappingRule, budget: InclusionBudget): boolean {
  const e = earlier.match;
  const l = later.match;
  if (!listCovers(e.vpc, l.vpc) || !listCovers(e.subnet, l.subnet)) return false;
  for (const [key, pattern] of e.tags ?? []) {
    const inner = l.tags?.get(key);
    if (inner === undefined || !globIncludes(pattern, inner, budget)) return false;
  }
  return true;
}

/** No list means "any network"; otherwise every network `inner` allows must be in `outer`. */
function listCovers(outer: readonly string[] | undefined, inner: readonly string[] | undefined): boolean {
  return outer === undefined || (inner?.every((v) => outer.includes(v)) ?? false);
}
