import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { STACK_TAG } from '../../policies/generate.js';
import { checkNames, optionalSettings, StackParameterError, stackNames, stackTags } from '../../scripts/stack-params.js';
import { type PackagedTemplate, packageService } from '../../support/package.js';

const defaultTemplate = readFileSync(inject('templateFile'), 'utf8');

describe('stage parameters, packaged', () => {
  const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const BOUNDARY = 'arn:aws:iam::111122223333:policy/platform-boundary';
  let packaged: PackagedTemplate;
  const props = (id: string) => packaged.template.Resources[id]?.Properties as Record<string, unknown>;

  it('packages every parameter a platform team sets', () => {
    packaged = packageService('params', {
      reservedConcurrency: '5',
      sweepConcurrency: 'none',
      kmsKeyArn: KEY,
      permissionsBoundary: BOUNDARY,
      stackTags: 'team=platform,cost-center=1234',
      memorySize: '256',
    });
    expect(props('RemediateLambdaFunction')).toMatchObject({ ReservedConcurrentExecutions: 5, MemorySize: 256 });
    expect(props('SweepLambdaFunction')).not.toHaveProperty('ReservedConcurrentExecutions');
    expect(props('IamRoleLambdaExecution').PermissionsBoundary).toBe(BOUNDARY);
    // An existing key: the stack's own key is conditional on the parameter being empty.
    expect((packaged.template as unknown as { Parameters: Record<string, { Default: string }> }).Parameters.KmsKeyArn?.Default).toBe(KEY);
    expect(packaged.template.Conditions).toMatchObject({ CreateTopicKey: { 'Fn::Equals': [{ Ref: 'KmsKeyArn' }, ''] } });
    expect(packaged.template.Resources.ReportTopicKey?.Condition).toBe('CreateTopicKey');
    const state = JSON.parse(readFileSync(join(packaged.dir, 'serverless-state.json'), 'utf8')) as { service: { provider: { stackTags: unknown } } };
    expect(state.service.provider.stackTags).toEqual({ team: 'platform', 'cost-center': '1234', [STACK_TAG]: 'params' });
  }, 120_000);

  it('leaves the optional settings out by default: the stack creates its own key', () => {
    const template = JSON.parse(defaultTemplate) as PackagedTemplate['template'] & { Parameters: Record<string, { Default: string }> };
    expect(template.Parameters.KmsKeyArn?.Default).toBe('');
    expect(template.Resources.RemediateLambdaFunction?.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
    expect(template.Resources.IamRoleLambdaExecution?.Properties).not.toHaveProperty('PermissionsBoundary');
  });

  it('refuses a stage whose names are past AWS limits before anything deploys, naming the limit', () => {
    const long = 'a-stage-name-long-enough-to-break-the-role-name-x';
    expect(() => packageService(long)).toThrow(
      new RegExp(
        `IAM role name "profile-guard-${long}-us-east-1" is 73 characters; AWS allows 64[\\s\\S]*Lambda function name "profile-guard-${long}-remediate" is 73 characters`,
      ),
    );
  }, 120_000);

  it('refuses bad parameters, naming each, without a stack trace', () => {
    let message = '';
    try {
      packageService('badparams', { reservedConcurrency: '0', kmsKeyArn: 'alias/reports' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/reservedConcurrency must be a whole number from 1 to 1000, or '' for none \(0 would stop the function entirely\), got "0"/);
    expect(message).toMatch(/kmsKeyArn must be a KMS key ARN .*not an alias.*, got "alias\/reports"/);
    expect(message).not.toMatch(/at optionalSettings/);
  }, 120_000);
});

describe('the template packages for every partition', () => {
  it('has no arn:aws: literal (GovCloud and China are arn:aws-us-gov:, arn:aws-cn:)', () => {
    expect(defaultTemplate).not.toContain('arn:aws:');
    expect(defaultTemplate).toContain('${AWS::Partition}');
  });
});

describe('frameworkVersion', () => {
  it('is bounded to the osls major the tests run (and the installed osls satisfies it)', () => {
    expect(readFileSync('serverless.yml', 'utf8')).toMatch(/^frameworkVersion: '>=4\.3\.1 <5'$/m);
    const installed = (JSON.parse(readFileSync('node_modules/osls/package.json', 'utf8')) as { version: string }).version;
    const [major, minor, patch] = installed.split('.').map(Number) as [number, number, number];
    expect(major).toBe(4);
    expect(minor * 1000 + patch).toBeGreaterThanOrEqual(3001);
  });
});

describe('stack-params', () => {
  const names = {
    service: 'profile-guard',
    stage: 'prod',
    region: 'ap-southeast-2',
    roleName: 'profile-guard-prod-ap-southeast-2',
    functions: {},
    resources: {},
  };

  it('collects every resource name with its limit: functions, rules, roles, and named resources in included files', () => {
    const found = stackNames({
      ...names,
      functions: {
        remediate: { events: [{ eventBridge: { name: 'profile-guard-prod-tags' } }, { schedule: { name: 'profile-guard-prod-sweep' } }] },
        other: { name: 'custom' },
      },
      resources: [
        { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } } } },
        { Resources: { A: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: { 'Fn::Sub': 'x' } } } } },
      ],
    });
    expect(found).toEqual([
      { name: 'profile-guard-prod-ap-southeast-2', limit: 64, what: 'IAM role name' },
      { name: 'profile-guard-prod-remediate', limit: 64, what: 'Lambda function name' },
      { name: 'profile-guard-prod-tags', limit: 64, what: 'EventBridge rule name' },
      { name: 'profile-guard-prod-sweep', limit: 64, what: 'EventBridge rule name' },
      { name: 'custom', limit: 64, what: 'Lambda function name' },
      { name: 'q', limit: 80, what: 'SQS queue name' },
    ]);
  });

  it('refuses upper case in a stage (it names the deployment bucket) and accepts a name at its limit', () => {
    expect(() => checkNames({ ...names, stage: 'Prod' })).toThrow(/stage "Prod" must be lower-case/);
    expect(checkNames({ ...names, roleName: 'r'.repeat(64) })).toBe(true);
    expect(() => checkNames({ ...names, roleName: 'r'.repeat(65) })).toThrow(StackParameterError);
  });

  it('reads stack tags as key=value pairs or a map, and keeps the stack`s own tag', () => {
    expect(stackTags('', 'dev')).toEqual({ [STACK_TAG]: 'dev' });
    expect(stackTags('team = platform, owner=a@b.example', 'dev')).toEqual({ team: 'platform', owner: 'a@b.example', [STACK_TAG]: 'dev' });
    expect(stackTags({ team: 'platform', n: 1 }, 'dev')).toEqual({ team: 'platform', n: '1', [STACK_TAG]: 'dev' });
    expect(() => stackTags('team', 'dev')).toThrow(/"team" is not key=value/);
    expect(() => stackTags('aws:x=1', 'dev')).toThrow(/reserved aws: prefix/);
    expect(() => stackTags(`${STACK_TAG}=other`, 'dev')).toThrow(/cannot be overridden/);
    expect(() => stackTags('bad$key=1', 'dev')).toThrow(/key "bad\$key"/);
  });

  it('takes empty or none as "leave it out", and refuses values AWS would refuse mid-deploy', () => {
    expect(optionalSettings({ reservedConcurrency: '', sweepConcurrency: 'none', permissionsBoundary: '', kmsKeyArn: '', region: 'us-east-1' })).toEqual({});
    expect(optionalSettings({ reservedConcurrency: '5', sweepConcurrency: 1, region: 'us-east-1' })).toEqual({
      reservedConcurrency: { remediate: 5, sweep: 1 },
    });
    expect(() => optionalSettings({ kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k', region: 'us-east-1' })).toThrow(
      /in eu-west-1 but the stack deploys to us-east-1/,
    );
    expect(() => optionalSettings({ permissionsBoundary: 'platform-boundary', region: 'us-east-1' })).toThrow(
      /permissionsBoundary must be an IAM managed policy ARN/,
    );
    expect(() => optionalSettings({ memorySize: '100', region: 'us-east-1' })).toThrow(/memorySize must be a whole number of MB from 128 to 10240/);
    expect(() => optionalSettings({ reservedConcurrency: '2.5', region: 'us-east-1' })).toThrow(/reservedConcurrency must be a whole number/);
    const otherPartitions = {
      permissionsBoundary: 'arn:aws-us-gov:iam::111122223333:policy/b',
      kmsKeyArn: 'arn:aws-cn:kms:cn-north-1:111122223333:key/k',
      region: 'cn-north-1',
    };
    expect(optionalSettings(otherPartitions)).toEqual({
      permissionsBoundary: 'arn:aws-us-gov:iam::111122223333:policy/b',
      kmsKeyArn: 'arn:aws-cn:kms:cn-north-1:111122223333:key/k',
    });
    expect(optionalSettings({ kmsKeyArn: 'none', region: 'us-east-1' })).toEqual({});
  });
});
