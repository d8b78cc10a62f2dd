import * as z from 'zod';
import { ACCOUNT, OU_OR_ROOT } from '../events/fields.js';

/** The literal a rule uses to say "this instance must carry no profile at all". */
export const NO_PROFILE = 'none';

// IAM's own rule for instance profile names; the path is not part of the name.
const profileName = z.string().regex(/^[\w+=,.@-]{1,128}$/, 'must be an IAM instance profile name (letters, digits and +=,.@_-, at most 128), or "none"');

const tagKey = z
  .string()
  .min(1, 'tag key must not be empty')
  .max(128, 'tag key longer than 128 characters')
  // A JavaScript object cannot hold this key (assigning it changes the prototype); refused rather than silently lost.
  .refine((key) => key !== '__proto__', 'tag key "__proto__" is not supported');
const tagPattern = z.string().max(256, 'tag value pattern longer than 256 characters');

/**
 * Tag patterns become a Map of own entries: a key such as `constructor` is a legitimate EC2 tag
 * key and must be looked up as data, never through a JavaScript object's prototype.
 */
const tagsSchema = z
  .record(tagKey, tagPattern)
  .refine((tags) => Object.keys(tags).length > 0, 'tags is empty, which would match every instance; name at least one tag (use "default" for a catch-all)')
  .transform((tags): ReadonlyMap<string, string> => new Map(Object.entries(tags)));

const matchSchema = z
  .strictObject({
    tags: tagsSchema.optional(),
    vpc: z
      .array(z.string().regex(/^vpc-[0-9a-f]+$/, 'must be a VPC id like vpc-0abc'))
      .min(1)
      .optional(),
    subnet: z
      .array(z.string().regex(/^subnet-[0-9a-f]+$/, 'must be a subnet id like subnet-0abc'))
      .min(1)
      .optional(),
  })
  .refine((m) => m.tags !== undefined || m.vpc !== undefined || m.subnet !== undefined, {
    message: 'match needs at least one of tags, vpc, subnet (use "default" for a catch-all)',
  });

export const ruleSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'rule name must be 1-64 letters, digits, ._-'),
    match: matchSchema,
    profile: profileName,
    imdsv2: z.literal('required').optional(),
    // Requiring IMDSv2 never turns on a metadata endpoint its owner turned off, unless the rule says so.
    imdsEndpoint: z.literal('enabled').optional(),
  })
  .refine((rule) => rule.imdsEndpoint === undefined || rule.imdsv2 === 'required', {
    message: 'imdsEndpoint: enabled goes with imdsv2: required',
    path: ['imdsEndpoint'],
  });

// The same shapes the organization settings accept (lib/org/settings.ts): an account id, an OU or the root.
// YAML reads an unquoted id as a number, which drops leading zeros: ask for quotes rather than guess.
const accountId = z.string('must be a 12-digit account id in quotes (a YAML number loses leading zeros)').regex(ACCOUNT, 'must be a 12-digit account id');
const ouId = z.string().regex(OU_OR_ROOT, 'must be an OU id like ou-ab12-cdef3456 or a root id like r-ab12');

/**
 * Rules for some accounts of an organization. The first override naming the target account (or
 * its OU) replaces the top-level rules for it, and its default too when it gives one: nothing merges.
 */
export const overrideSchema = z
  .strictObject({
    accounts: z.array(accountId).min(1, 'accounts is empty; name at least one account or leave it out').optional(),
    ous: z.array(ouId).min(1, 'ous is empty; name at least one OU or leave it out').optional(),
    rules: z.array(ruleSchema).max(500, 'at most 500 rules'),
    default: profileName.optional(),
  })
  .refine((o) => o.accounts !== undefined || o.ous !== undefined, { message: 'an override needs accounts or ous (the accounts it applies to)' });

export const mappingSchema = z
  .strictObject({
    version: z.literal(1, 'version must be 1'),
    optOutTag: tagKey.default('profile-guard:ignore'),
    onWrongProfile: z.enum(['replace', 'report']).default('replace'),
    rules: z.array(ruleSchema).max(500, 'at most 500 rules'),
    default: profileName.optional(),
    // The role inside each profile, where its name differs from the profile's: the generated
    // iam:PassRole statement needs role ARNs, and the console's convention is "same name".
    roles: z.record(profileName, z.string().regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')).default({}),
    overrides: z.array(overrideSchema).max(100, 'at most 100 overrides').default([]),
  })
  .superRefine((mapping, ctx) => {
    const refuseDuplicates = (rules: readonly MappingRule[], path: (string | number)[]) => {
      const seen = new Map<string, number>();
      rules.forEach((rule, index) => {
        const first = seen.get(rule.name);
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: [...path, index, 'name'], message: `duplicate rule name "${rule.name}" (also rule ${first})` });
        }
        seen.set(rule.name, index);
      });
    };
    for (const set of ruleSets(mapping)) refuseDuplicates(set.rules, set.path);
    const mapped = new Set(mappedProfiles(mapping));
    for (const profile of Object.keys(mapping.roles)) {
      if (!mapped.has(profile))
        ctx.addIssue({ code: 'custom', path: ['roles', profile], message: `profile ${profile} is not used by any rule or the default` });
    }
  });

/** A list of rules and the default that goes with it: the top level, or one override. */
export interface RuleSet {
  rules: readonly MappingRule[];
  default?: string | undefined;
}

/** A rule set and where it sits: `where` starts a problem about it ('' or 'overrides[0] '), `path` is its rules' place. */
export interface PlacedRuleSet extends RuleSet {
  where: string;
  path: (string | number)[];
}

/**
 * The top-level rule set, then each override's: everything the mapping can ever apply, in order.
 * An override's rules are a list of their own (it replaces the top level), so each is checked alone.
 */
export function ruleSets(mapping: Pick<Mapping, 'rules' | 'default'> & { overrides?: readonly RuleSet[] | undefined }): PlacedRuleSet[] {
  return [
    { rules: mapping.rules, default: mapping.default, where: '', path: ['rules'] },
    ...(mapping.overrides ?? []).map((o, i) => ({ rules: o.rules, default: o.default, where: `overrides[${i}] `, path: ['overrides', i, 'rules'] })),
  ];
}

/** Every profile named by a rule or a default (top level and overrides), "none" included. */
export function namedProfiles(mapping: Parameters<typeof ruleSets>[0]): string[] {
  return ruleSets(mapping).flatMap((set) => [...set.rules.map((r) => r.profile), ...(set.default !== undefined ? [set.default] : [])]);
}

/** The real profiles the mapping can attach (not "none"), overrides included, in first-use order: the IAM policies grant these. */
export function mappedProfiles(mapping: Parameters<typeof ruleSets>[0]): string[] {
  return [...new Set(namedProfiles(mapping).filter((p) => p !== NO_PROFILE))];
}

/** The role inside a mapped profile: named in `roles`, else the same name as the profile. */
export function roleOf(mapping: Pick<Mapping, 'roles'>, profile: string): string {
  // Own keys only: a profile may be named like an Object.prototype member (`constructor`).
  return Object.hasOwn(mapping.roles, profile) ? (mapping.roles[profile] as string) : profile;
}

export type MappingRule = z.infer<typeof ruleSchema>;
export type Mapping = z.infer<typeof mappingSchema>;
export type MappingOverride = z.infer<typeof overrideSchema>;
