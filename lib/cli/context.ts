import { createClients, createStsClient } from '../aws/clients.js';
import { callerAccount } from '../aws/sts.js';
import type { Config } from '../config.js';
import { DEFAULT_ENGINE_OPTIONS } from '../engine.js';
import type { Log, LogFields } from '../log.js';
import { loadMappingFile } from '../mapping/load.js';
import type { Runtime } from '../service.js';

/** Where the CLI writes: injectable so tests read what an operator would see. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  isInteractive: boolean;
  ask(question: string): Promise<string>;
}

export interface OperatorOptions {
  mapping: string;
  region?: string | undefined;
  profile?: string | undefined;
  dryRun: boolean;
  maxChanges?: number | undefined;
  topicArn?: string | undefined;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Errors the CLI prints as one line and exits 2 on: bad usage, bad mapping. */
export class UsageError extends Error {}

/**
 * The region as the AWS CLI picks it: --region, then AWS_REGION, then AWS_DEFAULT_REGION, then the
 * profile's. The SDK reads AWS_REGION and the profile itself; AWS_DEFAULT_REGION it does not.
 */
export function regionOption(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flag || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

/** The operator's runtime: their credentials and region, the same engine, no report published unless a topic is given. */
export async function operatorRuntime(options: OperatorOptions, io: Io): Promise<{ runtime: Runtime; account: string; region: string }> {
  const mapping = loadMappingFile(options.mapping);
  const aws = { region: regionOption(options.region), profile: options.profile || undefined };
  const clients = createClients(aws);
  const region = await clients.ec2.config.region().catch(() => undefined);
  if (!region) {
    const whose = aws.profile ? `profile "${aws.profile}"` : 'your profile';
    throw new UsageError(`no AWS region: pass --region, set AWS_REGION, or give ${whose} a region in ~/.aws/config`);
  }
  const account = await callerAccount(createStsClient({ ...aws, region }));
  const config: Config = {
    topicArn: options.topicArn,
    mappingFile: options.mapping,
    notifyLevel: 'changes',
    engine: { ...DEFAULT_ENGINE_OPTIONS, dryRun: options.dryRun, maxChanges: options.maxChanges ?? DEFAULT_ENGINE_OPTIONS.maxChanges },
  };
  // Operators see warnings and errors on stderr; the engine's progress chatter stays quiet.
  const toStderr =
    (level: string) =>
    (message: string, ...extra: LogFields[]) =>
      io.err(`${level}: ${message}${extra.length > 0 ? ` ${JSON.stringify(Object.assign({}, ...extra))}` : ''}`);
  const log: Log = { debug() {}, info() {}, warn: toStderr('warning'), error: toStderr('error') };
  return { runtime: { clients, config, mapping, log }, account, region };
}
