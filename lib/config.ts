import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions } from './engine.js';
import { booleanVariable, parseEnvironment } from './env.js';
import type { NotifyLevel } from './report/notify.js';

const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

// Empty strings are treated as unset: CloudFormation and shells both produce them.
const envSchema = z.object({
  TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/, 'must be an SNS topic ARN')
    .optional(),
  DLQ_URL: z.url('must be an SQS queue URL').optional(),
  MAPPING_FILE: z.string().default('mapping.yaml'),
  DRY_RUN: booleanVariable.default(false),
  MAX_CHANGES: positiveInt(10_000).default(DEFAULT_ENGINE_OPTIONS.maxChanges),
  CONCURRENCY: positiveInt(32).default(DEFAULT_ENGINE_OPTIONS.concurrency),
  SETTLE_WAIT_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600)
    .default(DEFAULT_ENGINE_OPTIONS.settleWaitMs / 1000),
  NOTIFY_LEVEL: z.enum(['changes', 'failures', 'all']).default('changes'),
  SELF_ROLE_ARN: z
    .string()
    .regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN')
    .optional(),
});

export interface Config {
  topicArn?: string | undefined;
  dlqUrl?: string | undefined;
  mappingFile: string;
  notifyLevel: NotifyLevel;
  selfRoleArn?: string | undefined;
  engine: EngineOptions;
}

/** Reads and validates the environment once; every problem is named in one error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnvironment(envSchema, env);
  // Lambda runs with the task root as working directory, so a relative path means "in the bundle".
  const root = process.cwd();
  return {
    topicArn: e.TOPIC_ARN,
    dlqUrl: e.DLQ_URL,
    mappingFile: isAbsolute(e.MAPPING_FILE) ? e.MAPPING_FILE : resolve(root, e.MAPPING_FILE),
    notifyLevel: e.NOTIFY_LEVEL,
    selfRoleArn: e.SELF_ROLE_ARN,
    engine: {
      ...DEFAULT_ENGINE_OPTIONS,
      dryRun: e.DRY_RUN,
      maxChanges: e.MAX_CHANGES,
      concurrency: e.CONCURRENCY,
      settleWaitMs: e.SETTLE_WAIT_SECONDS * 1000,
    },
  };
}
