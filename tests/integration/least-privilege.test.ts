import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Clients, createClients } from '../../lib/aws/clients.js';
import { OPERATIONS_BY_PRINCIPAL } from '../../lib/aws/index.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../lib/engine.js';
import { silentLog } from '../../lib/log.js';
import { loadMappingFile } from '../../lib/mapping/load.js';
import { type Runtime, runForEvent, runSweep } from '../../lib/service.js';
import { operatorStatements, remediateStatements, resolvePseudoParameters, type Statement } from '../../policies/generate.js';
import { type MotoServer, startMoto } from '../../support/moto.js';
import { sampleFor } from '../../support/samples.js';
import { createNotifications, createProfiles, launchCases, profilesOf } from '../../support/world.js';
import { cli } from '../helpers/cli.js';
import { DECISION_CASES } from '../helpers/fleet.js';

/**
 * The generated policies, enforced. moto (server mode) checks every request's action against
 * the signing user's policy once `/moto-api/reset-auth` switches enforcement on. It evaluates a
 * resource only as "*" and cannot evaluate service condition keys (ec2:NewInstanceProfile,
 * iam:PassedToService), so the user carries the generated statements with exactly their
 * actions, resources widened to "*" and conditions dropped: this proves the actions; the
 * resources and conditions are asserted on the packaged template (tests/template).
 */
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const mapping = loadMappingFile('mapping.yaml');

function forMoto(statements: Statement[]): string {
  const resolved = resolvePseudoParameters(statements, { account: ACCOUNT, region: REGION });
  return JSON.stringify({ Version: '2012-10-17', Statement: resolved.map(({ Sid, Effect, Action }) => ({ Sid, Effect, Action, Resource: '*' })) });
}

async function userWithPolicy(iam: IAMClient, name: string, policy: string) {
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'generated', PolicyDocument: policy }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
}

/** Records "ec2:AssociateIamInstanceProfile" for every request a client sends. */
function recordOperations(clients: Clients, sent: Set<string>): Clients {
  type Next = (args: unknown) => Promise<unknown>;
  type Stack = { add(middleware: (next: Next, context: { commandName?: string }) => Next, options: { step: 'initialize'; name: string }): void };
  for (const [service, client] of Object.entries(clients) as [string, { middlewareStack: Stack }][]) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.add(`${service}:${String(context.commandName).replace(/Command$/, '')}`);
        return next(args);
      },
      { step: 'initialize', name: 'recordOperations' },
    );
  }
  return clients;
}

describe('least privilege: the service runs under its generated policies with IAM enforced (moto)', () => {
  let moto: MotoServer;
  let admin: Clients;
  let iam: IAMClient;
  const enforce = async (count: string) => {
    const response = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: count });
    expect(response.ok).toBe(true);
  };

  beforeAll(async () => {
    moto = await startMoto();
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
  });
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(async () => {
    await enforce('inf');
    await moto.reset();
    iam = new IAMClient({ region: REGION });
    admin = createClients();
    await createProfiles(iam, mapping, ['AdminProfile']);
  });

  const fleetCases = { ...DECISION_CASES, payments: { tags: { team: 'payments', env: 'prod', Name: 'payments' } } };

  async function functionRuntime(
    credentials: { accessKeyId: string; secretAccessKey: string },
    sent: Set<string>,
    topicArn: string,
    dlqUrl: string,
  ): Promise<Runtime> {
    const clients = recordOperations(createClients({ credentials }), sent);
    return {
      clients,
      mapping,
      log: silentLog,
      config: { topicArn, dlqUrl, mappingFile: 'mapping.yaml', notifyLevel: 'all', engine: { ...DEFAULT_ENGINE_OPTIONS, settleWaitMs: 0 } },
    };
  }

  it('remediates every kind of instance, sweeps and keeps an unpublished report, under the function policy alone', async () => {
    const notifications = await createNotifications(admin.sns, admin.sqs, 'profile-guard-test');
    const ids = await launchCases(admin.ec2, fleetCases);
    const dlqArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:profile-guard-test-dlq`;
    const policy = forMoto(
      remediateStatements(mapping, { topicArn: notifications.topicArn, topicKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/example`, dlqArn }),
    );
    const credentials = await userWithPolicy(iam, 'remediate-function', policy);
    await enforce('0');
    const sent = new Set<string>();

    const runtime = await functionRuntime(credentials, sent, notifications.topicArn, notifications.dlqUrl);
    const outcome = await runForEvent(runtime, sampleFor('cloudtrail-run-instances', Object.values(ids)), { account: ACCOUNT, region: REGION });
    const sweep = await runSweep(runtime, { account: ACCOUNT, region: REGION });
    // A topic that does not exist: the report goes to the DLQ, which the policy must allow too.
    const lost = await runForEvent(
      { ...runtime, config: { ...runtime.config, topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:profile-guard-test-gone` } },
      sampleFor('ec2-state-running', [ids.missing]),
      {
        account: ACCOUNT,
        region: REGION,
      },
    );

    expect(outcome.report?.results.filter((r) => r.outcome === 'failed')).toEqual([]);
    expect(outcome.delivery).toBe('published');
    expect(sweep.report?.outcome).not.toBe('failed');
    expect(lost.delivery).toBe('sent-to-dlq');
    await enforce('inf');
    expect(await profilesOf(admin.ec2, [ids.missing, ids.wrong, ids.stopped, ids.quarantined, ids.payments])).toEqual({
      [ids.missing]: 'WebProfile',
      [ids.wrong]: 'WebProfile',
      [ids.stopped]: 'WebProfile',
      [ids.quarantined]: null,
      [ids.payments]: 'PaymentsProdProfile',
    });
    // Every write the function can make was exercised, and nothing it sent is undeclared.
    const declared = new Set<string>(OPERATIONS_BY_PRINCIPAL.remediate.map((o) => o.id));
    expect([...sent].filter((op) => !declared.has(op))).toEqual([]);
    expect([...declared].filter((op) => !sent.has(op))).toEqual([]);
  });

  it('is denied what its policy lacks: the check can fail', async () => {
    const ids = await launchCases(admin.ec2, { missing: DECISION_CASES.missing });
    const weakened = remediateStatements(mapping, { topicArn: 'arn:aws:sns:us-east-1:123456789012:t', topicKeyArn: 'k', dlqArn: 'q' }).map((s) => ({
      ...s,
      Action: s.Action.filter((a) => a !== 'ec2:AssociateIamInstanceProfile'),
    }));
    const credentials = await userWithPolicy(iam, 'weak-function', forMoto(weakened.filter((s) => s.Action.length > 0)));
    await enforce('0');
    const runtime = await functionRuntime(credentials, new Set(), '', '');
    const outcome = await runForEvent(
      { ...runtime, config: { ...runtime.config, topicArn: undefined, dlqUrl: undefined } },
      sampleFor('ec2-state-running', [ids.missing]),
      {
        account: ACCOUNT,
        region: REGION,
      },
    );
    expect(outcome.report?.results).toEqual([
      expect.objectContaining({ outcome: 'failed', error: expect.objectContaining({ name: 'PermissionDeniedError', retryable: false }) }),
    ]);
  });

  it('lets an operator plan, apply and redrive under the operator policy alone', async () => {
    const notifications = await createNotifications(admin.sns, admin.sqs, 'profile-guard-test');
    const ids = await launchCases(admin.ec2, { missing: DECISION_CASES.missing, wrong: DECISION_CASES.wrong });
    await admin.sqs.send(new SendMessageCommand({ QueueUrl: notifications.dlqUrl, MessageBody: 'not json: kept, and listed' }));
    const credentials = await userWithPolicy(iam, 'operator', forMoto(operatorStatements(mapping, 'test')));
    await enforce('0');
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    try {
      const plan = await cli(['plan', '--instance', ids.missing, ids.wrong]);
      const apply = await cli(['apply', '--yes', '--instance', ids.missing, ids.wrong]);
      const redrive = await cli(['redrive', '--queue-url', notifications.dlqUrl, '--topic-arn', notifications.topicArn]);
      expect([plan.code, plan.stderr]).toEqual([0, '']);
      expect([apply.code, apply.stderr]).toEqual([0, '']);
      expect(redrive.stderr).not.toMatch(/AccessDenied|not authorized/i);
      expect(redrive.stdout).toMatch(/kept/);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
    await enforce('inf');
    expect(await profilesOf(admin.ec2, [ids.missing, ids.wrong])).toEqual({ [ids.missing]: 'WebProfile', [ids.wrong]: 'WebProfile' });
  });
});
