import * as z from 'zod';

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
  })
  .superRefine((mapping, ctx) => {
    const seen = new Map<string, number>();
    mapping.rules.forEach((rule, index) => {
      const first = seen.get(rule.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['rules', index, 'name'], message: `duplicate rule name "${rule.name}" (also rule ${first})` });
      }
      seen.set(rule.name, index);
    });
    const mapped = new Set(mappedProfiles(mapping));
    for (const profile of Object.keys(mapping.roles)) {
      if (!mapped.has(profile))
        ctx.addIssue({ code: 'custom', path: ['roles', profile], message: `profile ${profile} is not used by any rule or the default` });
    }
  });

/** The real profiles the mapping can attach (not "none"), in first-use order. */
export function mappedProfiles(mapping: Pick<Mapping, 'rules' | 'default'>): string[] {
  const all = [...mapping.rules.map((r) => r.profile), ...(mapping.default !== undefined ? [mapping.default] : [])];
  return [...new Set(all.filter((p) => p !== NO_PROFILE))];
}

/** The role inside a mapped profile: named in `roles`, else the same name as the profile. */
export function roleOf(mapping: Pick<Mapping, 'roles'>, profile: string): string {
  // Own keys only: a profile may be named like an Object.prototype member (`constructor`).
  return Object.hasOwn(mapping.roles, profile) ? (mapping.roles[profile] as string) : profile;
}

export type MappingRule = z.infer<typeof ruleSchema>;
export type Mapping = z.infer<typeof mappingSchema>;
