import * as z from 'zod';
import { parseEnvironment, presentVariables } from '../env.js';
import { isAccount, isOuOrRoot, isRegion, ORG_ID } from '../events/fields.js';

/**
 * Organization mode, from the environment (set by the stack only when `orgId` is): which accounts
 * and regions the planner fans out to, and where. Absent ORG_ID: undefined, and everything stays
 * single-account. Bad values are named, like lib/config.ts does for the rest.
 */
export interface OrgSettings {
  orgId: string;
  /** The static account list (`accounts` param); empty: the planner lists the target OUs' active accounts. */
  accounts: string[];
  targetOus: string[];
  regions: string[];
  /** Accounts known to be suspended: no call is made to them. */
  suspended: Set<string>;
  sweepQueueUrl?: string | undefined;
}

/** A comma-separated parameter as a list ('' = none). */
export function listParam(value: unknown): string[] {
  return String(value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

const list = (check: (v: unknown) => boolean, what: string) =>
  z
    .string()
    .default('')
    .transform((v) => listParam(v))
    .refine((items) => items.every(check), { error: `must be a comma-separated list of ${what}` });

const envSchema = z.object({
  ORG_ID: z.string().regex(ORG_ID, 'must be an organization id such as o-abc123defg'),
  ORG_ACCOUNTS: list(isAccount, '12-digit account ids'),
  ORG_REGIONS: list(isRegion, 'regions'),
  ORG_TARGET_OUS: list(isOuOrRoot, 'OU ids (ou-xxxx-xxxxxxxx) or root ids (r-xxxx)'),
  ORG_SUSPENDED_ACCOUNTS: list(isAccount, '12-digit account ids'),
  SWEEP_QUEUE_URL: z.url('must be an SQS queue URL').optional(),
});

export function loadOrgSettings(env: NodeJS.ProcessEnv = process.env): OrgSettings | undefined {
  if (!presentVariables(env).ORG_ID) return undefined;
  const e = parseEnvironment(envSchema, env, 'organization environment');
  return {
    orgId: e.ORG_ID,
    accounts: e.ORG_ACCOUNTS,
    targetOus: e.ORG_TARGET_OUS,
    regions: e.ORG_REGIONS,
    suspended: new Set(e.ORG_SUSPENDED_ACCOUNTS),
    sweepQueueUrl: e.SWEEP_QUEUE_URL,
  };
}

/** The hub's account and partition, from the function role's ARN (arn:<partition>:iam::<account>:role/…). */
export function hubOf(selfRoleArn: string | undefined): { account: string; partition: string } | undefined {
  const match = /^arn:(aws[\w-]*):iam::(\d{12}):role\//.exec(selfRoleArn ?? '');
  return match ? { partition: match[1] as string, account: match[2] as string } : undefined;
}
