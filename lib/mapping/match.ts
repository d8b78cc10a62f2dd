import type { Mapping, MappingRule } from './schema.js';

/** What the mapping sees of an instance. */
export interface MatchableInstance {
  tags: Readonly<Record<string, string>>;
  vpcId?: string | undefined;
  subnetId?: string | undefined;
}

export interface Desired {
  /** Profile name, or "none". */
  profile: string;
  /** The rule that chose it; "default" when the mapping's default did. */
  rule: string;
  imdsv2Required: boolean;
}

/** First matching rule wins; the default applies when none matches; undefined means unmanaged. */
export function desiredFor(instance: MatchableInstance, mapping: Mapping): Desired | undefined {
  const rule = mapping.rules.find((candidate) => ruleMatches(candidate, instance));
  if (rule) return { profile: rule.profile, rule: rule.name, imdsv2Required: rule.imdsv2 === 'required' };
  if (mapping.default !== undefined) return { profile: mapping.default, rule: 'default', imdsv2Required: false };
  return undefined;
}

export function ruleMatches(rule: MappingRule, instance: MatchableInstance): boolean {
  const { tags, vpc, subnet } = rule.match;
  if (vpc && !(instance.vpcId && vpc.includes(instance.vpcId))) return false;
  if (subnet && !(instance.subnetId && subnet.includes(instance.subnetId))) return false;
  if (tags) {
    for (const [key, pattern] of Object.entries(tags)) {
      const value = instance.tags[key];
      if (value === undefined || !globMatches(pattern, value)) return false;
    }
  }
  return true;
}

const compiled = new Map<string, RegExp>();

/** Tag value globs: `*` is any run of characters (so `"*"` means "key present"), `?` one character. */
export function globMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === value;
  let regex = compiled.get(pattern);
  if (!regex) {
    const body = pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${body}$`, 's');
    compiled.set(pattern, regex);
  }
  return regex.test(value);
}

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
