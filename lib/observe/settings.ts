import * as z from 'zod';
import { booleanVariable, parseEnvironment } from '../env.js';
import { sweepPeriodSeconds } from './schedule.js';

export const DEFAULT_STAGE = 'dev';

// Empty strings are unset, as in lib/config.ts: CloudFormation and shells both produce them.
const envSchema = z.object({
  STAGE: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a stage name (letters, digits, dashes)')
    .default(DEFAULT_STAGE),
  SECURITY_HUB: booleanVariable.default(false),
  SWEEP_RATE: z.string().default('rate(6 hours)'),
});

/** What the observability side reads from the environment (serverless.yml sets it from the stage parameters). */
export interface ObserveSettings {
  /** A metric dimension: one stage's alarms never see another's data. */
  stage: string;
  /** Import Security Hub findings (the `securityHub` parameter); off = no Security Hub call at all. */
  securityHub: boolean;
  /** Seconds between sweeps: the window in which an expired exception is news. */
  sweepPeriodSeconds: number;
}

export function loadObserveSettings(env: NodeJS.ProcessEnv = process.env): ObserveSettings {
  const { STAGE, SECURITY_HUB, SWEEP_RATE } = parseEnvironment(envSchema, env);
  return { stage: STAGE, securityHub: SECURITY_HUB, sweepPeriodSeconds: sweepPeriodSeconds(SWEEP_RATE) };
}
