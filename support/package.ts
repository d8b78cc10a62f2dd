import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withServerlessLockSync } from './serverless-lock.js';

export interface PackagedTemplate {
  dir: string;
  file: string;
  template: {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Condition?: string }>;
    Outputs: Record<string, unknown>;
    Conditions?: object;
  };
}

export interface PackageOptions {
  region?: string;
  /** Where the artifacts go; a fresh temporary directory by default. */
  dir?: string;
}

/**
 * `serverless package` offline (no credentials) into a directory; returns the CloudFormation
 * template. The one way the tests, the demo and the bench build the service.
 */
export function packageService(stage: string, params: Record<string, string> = {}, options: PackageOptions = {}): PackagedTemplate {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `profile-guard-${stage}-`));
  const args = [
    'serverless',
    'package',
    '--stage',
    stage,
    '--region',
    options.region ?? 'us-east-1',
    '--package',
    dir,
    ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`]),
  ];
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };
  try {
    withServerlessLockSync(() => execFileSync('npx', args, { env, stdio: 'pipe', timeout: 120_000 }));
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`serverless package failed:\n${e.stdout?.toString() ?? ''}\n${e.stderr?.toString() ?? ''}`);
  }
  const file = join(dir, 'cloudformation-template-update-stack.json');
  return { dir, file, template: JSON.parse(readFileSync(file, 'utf8')) };
}

/** Unzips one function's artifact from a packaged directory; returns the handler file's path. */
export function unzipFunction(dir: string, fn: 'remediate' | 'sweep'): string {
  execFileSync('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', join(dir, `${fn}.zip`), join(dir, fn)]);
  return join(dir, fn, 'functions', `${fn}.js`);
}
