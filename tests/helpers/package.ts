import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PackagedTemplate {
  dir: string;
  file: string;
  template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Condition?: string }>; Outputs: Record<string, unknown>; Conditions?: object };
}

/** `serverless package` offline (no credentials) into a fresh directory; returns the CloudFormation template. */
export function packageService(stage: string, params: Record<string, string> = {}): PackagedTemplate {
  const dir = mkdtempSync(join(tmpdir(), `profile-guard-${stage}-`));
  const args = ['serverless', 'package', '--stage', stage, '--region', 'us-east-1', '--package', dir, ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`])];
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };
  try {
    execFileSync('npx', args, { env, stdio: 'pipe', timeout: 120_000 });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`serverless package failed:\n${e.stdout?.toString() ?? ''}\n${e.stderr?.toString() ?? ''}`);
  }
  const file = join(dir, 'cloudformation-template-update-stack.json');
  return { dir, file, template: JSON.parse(readFileSync(file, 'utf8')) };
}
