import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeIamInstanceProfileAssociationsCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorRuntime, regionOption } from '../../lib/cli/context.js';
import { cli } from '../helpers/cli.js';

/**
 * The CLI takes its AWS settings the way the AWS CLI does: --profile / --region (anywhere on the
 * line) over AWS_PROFILE / AWS_REGION / AWS_DEFAULT_REGION over the profile's own region, and the
 * mapping from --mapping over MAPPING_FILE. AWS is mocked (aws-sdk-client-mock) at every client;
 * the profile is read from real config files in a temporary directory.
 */
const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);
const INSTANCE = 'i-0123456789abcdef0';
const VARIABLES = [
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'MAPPING_FILE',
] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

beforeEach(() => {
  ec2.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '210987654321' });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [] });
  // An AWS directory of our own: the ops profile has its own keys and region.
  const dir = mkdtempSync(join(tmpdir(), 'profile-guard-aws-'));
  writeFileSync(join(dir, 'config'), '[default]\nregion = sa-east-1\n[profile ops]\nregion = eu-west-2\n');
  writeFileSync(
    join(dir, 'credentials'),
    '[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = default-secret\n[ops]\naws_access_key_id = AKIAOPS\naws_secret_access_key = ops-secret\n',
  );
  for (const name of VARIABLES) delete process.env[name];
  process.env.AWS_CONFIG_FILE = join(dir, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
});

afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** The region a plan reports: its last line is "<account> <region>: <summary>". */
async function planRegion(args: string[]): Promise<string> {
  const run = await cli(args);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return /^210987654321 (\S+):/m.exec(run.stdout)?.[1] ?? `no region in: ${run.stdout}`;
}

const silentIo = { out() {}, err() {}, isInteractive: false, ask: async () => '' };

describe('region, like the AWS CLI', () => {
  it('takes --region before or after the command', async () => {
    process.env.AWS_REGION = 'ap-south-1';
    expect(await planRegion(['plan', '--region', 'eu-north-1', '--instance', INSTANCE])).toBe('eu-north-1');
    expect(await planRegion(['--region', 'eu-north-1', 'plan', '--instance', INSTANCE])).toBe('eu-north-1');
  });

  it('falls back to AWS_REGION, then AWS_DEFAULT_REGION (which the SDK alone ignores), then the profile', async () => {
    process.env.AWS_DEFAULT_REGION = 'ca-central-1';
    process.env.AWS_REGION = 'ap-south-1';
    expect(await planRegion(['plan', '--instance', INSTANCE])).toBe('ap-south-1');
    delete process.env.AWS_REGION;
    expect(await planRegion(['plan', '--instance', INSTANCE])).toBe('ca-central-1');
    delete process.env.AWS_DEFAULT_REGION;
    expect(await planRegion(['plan', '--instance', INSTANCE])).toBe('sa-east-1');
    expect(regionOption(undefined, {})).toBeUndefined();
    expect(regionOption('', { AWS_DEFAULT_REGION: 'x' })).toBe('x');
  });

  it('says how to give a region when there is none', async () => {
    process.env.AWS_CONFIG_FILE = join(mkdtempSync(join(tmpdir(), 'profile-guard-aws-')), 'none');
    const run = await cli(['plan', '--instance', INSTANCE]);
    expect([run.code, run.stderr]).toEqual([2, 'profile-guard: no AWS region: pass --region, set AWS_REGION, or give your profile a region in ~/.aws/config']);
  });
});

describe('profile, like the AWS CLI', () => {
  it('--profile takes that profile`s credentials and region', async () => {
    const { runtime, region } = await operatorRuntime({ mapping: 'mapping.yaml', dryRun: true, profile: 'ops' }, silentIo);
    expect(region).toBe('eu-west-2');
    expect(await runtime.clients.ec2.config.credentials()).toMatchObject({ accessKeyId: 'AKIAOPS', secretAccessKey: 'ops-secret' });
    expect(await planRegion(['--profile', 'ops', 'plan', '--instance', INSTANCE])).toBe('eu-west-2');
    expect(await planRegion(['plan', '--profile', 'ops', '--instance', INSTANCE])).toBe('eu-west-2');
  });

  it('AWS_PROFILE does the same, and --profile wins over it', async () => {
    process.env.AWS_PROFILE = 'ops';
    const fromEnv = await operatorRuntime({ mapping: 'mapping.yaml', dryRun: true }, silentIo);
    expect(await fromEnv.runtime.clients.ec2.config.credentials()).toMatchObject({ accessKeyId: 'AKIAOPS' });
    const flag = await operatorRuntime({ mapping: 'mapping.yaml', dryRun: true, profile: 'default' }, silentIo);
    expect([flag.region, (await flag.runtime.clients.ec2.config.credentials()).accessKeyId]).toEqual(['sa-east-1', 'AKIADEFAULT']);
  });

  it('an AWS_REGION in the environment beats the profile`s region, as in the AWS CLI', async () => {
    process.env.AWS_REGION = 'us-west-2';
    expect(await planRegion(['--profile', 'ops', 'plan', '--instance', INSTANCE])).toBe('us-west-2');
  });

  it('builds every client (SNS and SQS too) from the profile, and asks STS once', async () => {
    const { runtime } = await operatorRuntime({ mapping: 'mapping.yaml', dryRun: true, profile: 'ops' }, silentIo);
    expect(await runtime.clients.sns.config.credentials()).toMatchObject({ accessKeyId: 'AKIAOPS' });
    expect(await runtime.clients.sqs.config.region()).toBe('eu-west-2');
    expect(sts.calls()).toHaveLength(1);
  });
});

describe('mapping file, like MAPPING_FILE in the Lambda', () => {
  it('validate, plan and policy read $MAPPING_FILE when no file is given', async () => {
    process.env.MAPPING_FILE = 'tests/fixtures/mappings/report-only.yaml';
    const validate = await cli(['validate']);
    expect(validate.stdout).toMatch(/^tests\/fixtures\/mappings\/report-only\.yaml: valid/);
    const policy = await cli(['policy', 'remediate']);
    expect(policy.stdout).toContain('AnalyticsProfile');
    process.env.MAPPING_FILE = 'tests/fixtures/mappings/invalid-rule.yaml';
    const plan = await cli(['plan', '--region', 'eu-west-1', '--instance', INSTANCE]);
    expect([plan.code, plan.stderr]).toEqual([2, expect.stringContaining('tests/fixtures/mappings/invalid-rule.yaml: invalid mapping')]);
    expect(sts.calls()).toHaveLength(0);
  });

  it('--mapping (or the validate argument) wins over $MAPPING_FILE', async () => {
    process.env.MAPPING_FILE = 'tests/fixtures/mappings/invalid-rule.yaml';
    expect((await cli(['validate', 'mapping.yaml'])).code).toBe(0);
    expect(await planRegion(['plan', '--mapping', 'mapping.yaml', '--region', 'eu-west-1', '--instance', INSTANCE])).toBe('eu-west-1');
  });
});
