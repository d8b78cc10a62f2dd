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
  dryRun: boolean;
  maxChanges?: number | undefined;
  topicArn?: string | undefined;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Errors the CLI prints as one line and exits 2 on: bad usage, bad mapping. */
export class UsageError extends Error {}

/** The operator's runtime: their credentials and region, the same engine, no report published unless a topic is given. */
export async function operatorRuntime(options: OperatorOptions, io: Io): Promise<{ runtime: Runtime; account: string; region: string }> {
  const mapping = loadMappingFile(options.mapping);
  const clients = createClients(options.region ? { region: options.region } : {});
  const region = await clients.ec2.config.region();
  const account = await callerAccount(createStsClient({ region: options.region }));
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
