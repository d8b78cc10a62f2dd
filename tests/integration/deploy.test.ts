import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateAccessKeyCommand, CreateUserCommand, GetRoleCommand, IAMClient, ListUsersCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMappingFile } from '../../lib/mapping/load.js';
import { FRAMEWORK_CALLS } from '../../policies/cloudformation-permissions.js';
import { operatorStatements, resolvePseudoParameters } from '../../policies/generate.js';
import { type MotoServer, startMoto } from '../../support/moto.js';
import { putSample } from '../../support/rules.js';
import { loadSample } from '../../support/samples.js';
import { withServerlessLock } from '../../support/serverless-lock.js';
import { createQueue, drain, queueArn } from '../../support/world.js';
import { TAG_RULE_PATTERN } from '../fixtures/patterns.js';

/**
 * `serverless deploy` and `serverless remove`, for real, against moto with IAM enforced, signed
 * by a user that carries exactly the generated operator policy. moto checks each request's
 * action, evaluates resources only as "*" and no condition keys, so the user's statements keep
 * their actions with resources widened to "*" and conditions dropped; resources and conditions
 * are asserted on the policy itself (tests/template/deploy-policy.test.ts).
 *
 * moto's CloudFormation creates resources without checking the caller's permission for them, so
 * this proves the framework's own calls (change sets, artifacts, bucket, lookups); what the
 * resource handlers need comes from AWS's schemas (policies/cloudformation-permissions.ts).
 * moto also skips alarms, event-invoke configs and resource policies, and never runs the Lambda:
 * those stay template checks.
 */
const STAGE = 'ci';
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const PREFIX = `profile-guard-${STAGE}`;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RECORDER = join(ROOT, 'tests', 'helpers', 'record-aws-calls.cjs');

/**
 * moto authorizes S3 HeadBucket as "s3:HeadBucket", an action AWS does not have (AWS checks
 * s3:ListBucket): the moto user gets that name beside the real one, and nothing else.
 */
const MOTO_ONLY_NAMES: Record<string, string[]> = { 's3:ListBucket': ['s3:HeadBucket'] };
const forMoto = (action: string) => [action, ...(MOTO_ONLY_NAMES[action] ?? [])];

interface Run {
  code: number;
  output: string;
}

function serverless(command: 'deploy' | 'remove', env: Record<string, string>): Promise<Run> {
  // Packaging elsewhere in the suite shares .esbuild/ and .serverless/ in this directory: take turns.
  return withServerlessLock(
    () =>
      new Promise((done) => {
        const options = { cwd: ROOT, env: { ...process.env, ...env }, timeout: 150_000 };
        execFile('npx', ['serverless', command, '--stage', STAGE, '--region', REGION], options, (error, stdout, stderr) => {
          done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` });
        });
      }),
  );
}

describe('serverless deploy / remove on moto under the operator policy, IAM enforced', () => {
  let moto: MotoServer;
  let env: Record<string, string>;
  const callsFile = join(mkdtempSync(join(tmpdir(), 'profile-guard-calls-')), 'calls.txt');
  const clients = () => ({
    cfn: new CloudFormationClient({ region: REGION }),
    events: new EventBridgeClient({ region: REGION }),
    iam: new IAMClient({ region: REGION }),
    lambda: new LambdaClient({ region: REGION }),
    s3: new S3Client({ region: REGION, forcePathStyle: true }),
    sns: new SNSClient({ region: REGION }),
    sqs: new SQSClient({ region: REGION }),
  });
  let admin: ReturnType<typeof clients>;
  const enforce = async (count: '0' | 'inf') => {
    const response = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: count });
    expect(response.ok).toBe(true);
  };
  const asDeployer = async <T>(run: () => Promise<T>): Promise<T> => {
    await enforce('0');
    try {
      return await run();
    } finally {
      await enforce('inf');
    }
  };

  beforeAll(async () => {
    // moto with one fix for its SigV4 check of S3 query strings (see tests/helpers/moto-fixes/sitecustomize.py).
    const pythonPath = process.env.PYTHONPATH;
    process.env.PYTHONPATH = [join(ROOT, 'tests', 'helpers', 'moto-fixes'), pythonPath].filter(Boolean).join(':');
    try {
      moto = await startMoto();
    } finally {
      if (pythonPath === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = pythonPath;
    }
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    admin = clients();
    const policy = resolvePseudoParameters(operatorStatements(loadMappingFile('mapping.yaml'), STAGE), { account: ACCOUNT, region: REGION });
    const widened = {
      Version: '2012-10-17',
      Statement: policy.map(({ Sid, Effect, Action }) => ({ Sid, Effect, Action: Action.flatMap(forMoto), Resource: '*' })),
    };
    await admin.iam.send(new CreateUserCommand({ UserName: 'deployer' }));
    await admin.iam.send(new PutUserPolicyCommand({ UserName: 'deployer', PolicyName: 'operator', PolicyDocument: JSON.stringify(widened) }));
    const { AccessKey } = await admin.iam.send(new CreateAccessKeyCommand({ UserName: 'deployer' }));
    writeFileSync(callsFile, '');
    env = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: AccessKey?.AccessKeyId as string,
      AWS_SECRET_ACCESS_KEY: AccessKey?.SecretAccessKey as string,
      AWS_REGION: REGION,
      AWS_PROFILE: '',
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      NODE_OPTIONS: `--require ${RECORDER}`,
      PROFILE_GUARD_RECORD_CALLS: callsFile,
    };
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('enforces IAM: the deployer is refused what its policy does not grant', async () => {
    const deployer = new IAMClient({
      region: REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID as string, secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string },
    });
    await expect(asDeployer(() => deployer.send(new ListUsersCommand({})))).rejects.toThrow(/not authorized|AccessDenied/);
  });

  it('deploys the stack with the deployer`s credentials alone', async () => {
    const deploy = await asDeployer(() => serverless('deploy', env));
    expect(deploy.output).not.toMatch(/AccessDenied|not authorized/i);
    expect(deploy.code, deploy.output).toBe(0);

    const { StackResources = [] } = await admin.cfn
      .send(new ListStackResourcesCommand({ StackName: PREFIX }))
      .then((r) => ({ StackResources: r.StackResourceSummaries }));
    const types = new Set(StackResources.map((r) => r.ResourceType));
    // Stack-wide tags reach CloudFormation (which copies them to every taggable resource); the stack's own tag among them.
    const { Stacks = [] } = await admin.cfn.send(new DescribeStacksCommand({ StackName: PREFIX }));
    expect(Stacks[0]?.Tags).toContainEqual({ Key: 'profile-guard:stack', Value: STAGE });
    for (const type of [
      'AWS::Lambda::Function',
      'AWS::Events::Rule',
      'AWS::SNS::Topic',
      'AWS::SQS::Queue',
      'AWS::KMS::Key',
      'AWS::IAM::Role',
      'AWS::S3::Bucket',
    ]) {
      expect(types).toContain(type);
    }

    // Both functions, with the stack's own topic and queue resolved into their environment.
    const { Functions = [] } = await admin.lambda.send(new ListFunctionsCommand({}));
    expect(Functions.map((f) => f.FunctionName).sort()).toEqual([`${PREFIX}-remediate`, `${PREFIX}-sweep`]);
    const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:${PREFIX}-reports`;
    const { QueueUrl } = await admin.sqs.send(new GetQueueUrlCommand({ QueueName: `${PREFIX}-dlq` }));
    const { Attributes: queue = {} } = await admin.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn', 'MessageRetentionPeriod'] }),
    );
    expect(queue.MessageRetentionPeriod).toBe('1209600');
    const remediate = await admin.lambda.send(new GetFunctionCommand({ FunctionName: `${PREFIX}-remediate` }));
    expect(remediate.Configuration).toMatchObject({ Runtime: 'nodejs22.x', Role: `arn:aws:iam::${ACCOUNT}:role/${PREFIX}-${REGION}` });
    expect(remediate.Configuration?.Environment?.Variables).toMatchObject({ TOPIC_ARN: topicArn, MAPPING_FILE: 'mapping.yaml' });
    // moto's CloudFormation resolves a queue's Ref to AWS's URL form, not its own endpoint's.
    expect(remediate.Configuration?.Environment?.Variables?.DLQ_URL).toMatch(new RegExp(`/${ACCOUNT}/${PREFIX}-dlq$`));

    // The topic, encrypted with the stack's key.
    const { Attributes: topic = {} } = await admin.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    expect(topic.KmsMasterKeyId).toMatch(/^[0-9a-f-]{36}$/);

    // Every rule the template declares, with its pattern, and on every target the retry policy and the DLQ.
    const { Rules = [] } = await admin.events.send(new ListRulesCommand({ NamePrefix: PREFIX }));
    expect(Rules.map((r) => r.Name).sort()).toEqual([
      `${PREFIX}-profile-drift`,
      `${PREFIX}-run-instances`,
      `${PREFIX}-state-running`,
      `${PREFIX}-sweep`,
      `${PREFIX}-tags`,
    ]);
    for (const rule of Rules) {
      const { Targets = [] } = await admin.events.send(new ListTargetsByRuleCommand({ Rule: rule.Name }));
      expect(Targets).toHaveLength(1);
      if (rule.Name === `${PREFIX}-sweep`) {
        expect(rule.ScheduleExpression).toBe('rate(6 hours)');
        expect(Targets[0]?.Arn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:${PREFIX}-sweep`);
        continue;
      }
      expect(JSON.parse(rule.EventPattern as string)).toHaveProperty('detail');
      expect(Targets[0]).toMatchObject({
        Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${PREFIX}-remediate`,
        RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: queue.QueueArn },
      });
    }
  }, 200_000);

  it('routes sample events through the deployed rules, and not profile-guard`s own calls', async () => {
    // moto cannot deliver to a Lambda target (PutEvents fails with NotImplementedError when a rule
    // with one matches, and moto lets a schedule rule match every event): each deployed rule's
    // target is swapped for a probe queue, the sweep's removed. The patterns are the ones
    // CloudFormation created, its Fn::Sub of the function role included.
    await admin.events.send(new RemoveTargetsCommand({ Rule: `${PREFIX}-sweep`, Ids: ['sweepSchedule'] }));
    const probes = new Map<string, string>();
    for (const name of ['run-instances', 'state-running', 'tags', 'profile-drift']) {
      const rule = `${PREFIX}-${name}`;
      const { Targets = [] } = await admin.events.send(new ListTargetsByRuleCommand({ Rule: rule }));
      await admin.events.send(new RemoveTargetsCommand({ Rule: rule, Ids: Targets.map((t) => t.Id as string) }));
      const url = await createQueue(admin.sqs, `probe-${name}`);
      await admin.events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'probe', Arn: await queueArn(admin.sqs, url) }] }));
      probes.set(name, url);
    }
    // The tag rule filters on resourceId inside an array of objects ({prefix: "i-"}), which moto
    // does not evaluate (it never matches): its deployed pattern is compared instead, and
    // tests/integration/event-patterns.test.ts shows where tag events land without that filter.
    const { EventPattern } = await admin.events.send(new DescribeRuleCommand({ Name: `${PREFIX}-tags` }));
    expect(JSON.parse(EventPattern ?? '{}')).toEqual(TAG_RULE_PATTERN);
    const samples = {
      'state-running': 'ec2-state-running',
      'run-instances': 'cloudtrail-run-instances',
      'profile-drift': 'cloudtrail-associate-by-iam-user',
    };
    for (const sample of Object.values(samples)) await putSample(admin.events, loadSample(sample));
    // The same association made by this stage's function role: the drift rule must leave it out.
    const ownCall = JSON.parse(JSON.stringify(loadSample('cloudtrail-associate-by-profile-guard')).replaceAll('profile-guard-dev-', `${PREFIX}-`)) as Record<
      string,
      unknown
    >;
    await putSample(admin.events, ownCall);
    for (const [rule, sample] of Object.entries(samples)) {
      const delivered = (await drain(admin.sqs, probes.get(rule) as string)).map((m) => JSON.parse(m.Body as string) as { detail: unknown });
      expect(
        delivered.map((event) => event.detail),
        `${rule} gets exactly ${sample}`,
      ).toEqual([loadSample(sample).detail]);
    }
  });

  it('re-deploys an unchanged service (the artifact comparison path)', async () => {
    const again = await asDeployer(() => serverless('deploy', env));
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/Deployment skipped|not changed/i);
  }, 120_000);

  it('removes everything it deployed', async () => {
    const remove = await asDeployer(() => serverless('remove', env));
    expect(remove.output).not.toMatch(/AccessDenied|not authorized/i);
    expect(remove.code, remove.output).toBe(0);

    const stacks = await admin.cfn.send(new DescribeStacksCommand({ StackName: PREFIX })).then(
      (r) => r.Stacks?.map((s) => s.StackStatus) ?? [],
      () => [],
    );
    expect(stacks.filter((status) => status !== 'DELETE_COMPLETE')).toEqual([]);
    expect((await admin.lambda.send(new ListFunctionsCommand({}))).Functions ?? []).toEqual([]);
    expect(((await admin.events.send(new ListRulesCommand({ NamePrefix: PREFIX }))).Rules ?? []).map((r) => r.Name)).toEqual([]);
    await expect(admin.sqs.send(new GetQueueUrlCommand({ QueueName: `${PREFIX}-dlq` }))).rejects.toThrow(/does not exist|NonExistentQueue/i);
    expect(((await admin.sns.send(new ListTopicsCommand({}))).Topics ?? []).map((t) => t.TopicArn)).toEqual([]);
    await expect(admin.iam.send(new GetRoleCommand({ RoleName: `${PREFIX}-${REGION}` }))).rejects.toThrow(/not found|cannot be found|NoSuchEntity/i);
    // The deployment bucket is emptied by the framework, then deleted with the stack.
    expect(((await admin.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name)).toEqual([]);
  }, 120_000);

  it('made only the framework calls the operator policy accounts for, and all of them', () => {
    const made = new Set(readFileSync(callsFile, 'utf8').split('\n').filter(Boolean));
    expect([...made].filter((call) => !(call in FRAMEWORK_CALLS))).toEqual([]);
    expect(Object.keys(FRAMEWORK_CALLS).filter((call) => !made.has(call))).toEqual([]);
  });
});
