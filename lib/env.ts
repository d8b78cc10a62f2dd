import * as z from 'zod';
import { ConfigInvalidError } from './errors.js';

/**
 * The variables that are set. An empty string counts as unset: CloudFormation and shells both
 * produce them for a parameter left blank.
 */
export function presentVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

/** A 'true' / 'false' variable, as the stack's parameters write them. */
export const booleanVariable = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The environment read through `schema`; every problem is named, with its variable, in one error. */
export function parseEnvironment<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, what = 'environment'): z.output<S> {
  const parsed = schema.safeParse(presentVariables(env));
  if (!parsed.success) {
    throw new ConfigInvalidError(`invalid ${what}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
