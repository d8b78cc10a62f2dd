import { globMatches, isGlob } from './match.js';
import { type Mapping, type MappingRule, NO_PROFILE } from './schema.js';

/**
 * Problems the schema cannot see: a rule no instance can ever reach (an earlier rule matches
 * everything it would), and one profile spelled two ways (IAM names are case-insensitive, so
 * they are the same profile, and the policy and reports would disagree on its name).
 */
export function lintMapping(mapping: Mapping): string[] {
  const problems: string[] = [];
  mapping.rules.forEach((rule, j) => {
    const shadow = mapping.rules.slice(0, j).findIndex((earlier) => covers(earlier, rule));
    if (shadow >= 0) {
      const earlier = mapping.rules[shadow] as MappingRule;
      problems.push(`rule ${j} "${rule.name}": unreachable: rule ${shadow} "${earlier.name}" matches every instance it would (first match wins); move it above or narrow the earlier rule`);
    }
  });
  const spellings = new Map<string, Set<string>>();
  for (const profile of [...mapping.rules.map((r) => r.profile), ...(mapping.default ? [mapping.default] : []), ...Object.keys(mapping.roles)]) {
    if (profile === NO_PROFILE) continue;
    const key = profile.toLowerCase();
    spellings.set(key, (spellings.get(key) ?? new Set()).add(profile));
  }
  for (const names of spellings.values()) {
    if (names.size > 1) problems.push(`profile named with different casing: ${[...names].join(', ')}; IAM names are case-insensitive, use one spelling`);
  }
  return problems;
}

/** True when every instance `later` matches is also matched by `earlier`. */
function covers(earlier: MappingRule, later: MappingRule): boolean {
  const e = earlier.match;
  const l = later.match;
  const listCovers = (outer?: string[], inner?: string[]) => outer === undefined || (inner !== undefined && inner.every((v) => outer.includes(v)));
  if (!listCovers(e.vpc, l.vpc) || !listCovers(e.subnet, l.subnet)) return false;
  return [...(e.tags ?? [])].every(([key, pattern]) => {
    const value = l.tags?.get(key);
    if (value === undefined) return false;
    return isGlob(value) ? pattern === value || pattern === '*' : globMatches(pattern, value);
  });
}
