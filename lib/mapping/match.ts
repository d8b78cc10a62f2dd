import { globMatches } from './glob.js';
import type { MappingRule, RuleSet } from './schema.js';

export { globMatches, isGlob } from './glob.js';

/**
 * What the mapping sees of an instance. Tags are a Map: a key is looked up among the instance's
 * own tags only, so a rule on a tag named `constructor` or `toString` never sees Object.prototype.
 */
export interface MatchableInstance {
  tags: ReadonlyMap<string, string>;
  vpcId?: string | undefined;
  subnetId?: string | undefined;
}

export interface Desired {
  /** Profile name, or "none". */
  profile: string;
  /** The rule that chose it; "default" when the mapping's default did. */
  rule: string;
  imdsv2Required: boolean;
  /** The rule turns the metadata endpoint on if its owner turned it off (only with imdsv2Required). */
  imdsEndpointEnabled: boolean;
}

/**
 * First matching rule wins; the default applies when none matches; undefined means unmanaged.
 * `set` is the top level or the override chosen for the instance's account (selectRules in
 * overrides.ts); `prefix` names an override's rules in reports (`overrides[0]/web`).
 */
export function desiredFor(instance: MatchableInstance, set: RuleSet, prefix = ''): Desired | undefined {
  const rule = set.rules.find((candidate) => ruleMatches(candidate, instance));
  if (rule)
    return {
      profile: rule.profile,
      rule: `${prefix}${rule.name}`,
      imdsv2Required: rule.imdsv2 === 'required',
      imdsEndpointEnabled: rule.imdsEndpoint === 'enabled',
    };
  if (set.default !== undefined) return { profile: set.default, rule: 'default', imdsv2Required: false, imdsEndpointEnabled: false };
  return undefined;
}

export function ruleMatches(rule: MappingRule, instance: MatchableInstance): boolean {
  const { tags, vpc, subnet } = rule.match;
  if (vpc && !(instance.vpcId && vpc.includes(instance.vpcId))) return false;
  if (subnet && !(instance.subnetId && subnet.includes(instance.subnetId))) return false;
  for (const [key, pattern] of tags ?? []) {
    const value = instance.tags.get(key);
    if (value === undefined || !globMatches(pattern, value)) return false;
  }
  return true;
}
