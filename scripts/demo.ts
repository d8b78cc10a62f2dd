/**
 * The whole system on a laptop: moto on a free loopback port, the sample mapping's profiles,
 * a fleet covering the decision table, the packaged EventBridge rules, events in, the real
 * handler on what the rules deliver, the notification as a subscriber receives it. Nothing
 * is left running. `npm run demo`.
 */
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ReplaceIamInstanceProfileAssociationCommand } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import type { Context } from 'aws-lambda';
import { createClients } from '../lib/aws/clients.js';
import { readFacts } from '../lib/facts.js';
import { loadMappingFile } from '../lib/mapping/load.js';
import { reportSchema } from '../lib/report/schema.js';
import { renderText, table } from '../lib/report/text.js';
import { startMoto } from '../support/moto.js';
import { packageService } from '../support/package.js';
import { installRules, putSample, rulesOf } from '../support/rules.js';
import { sampleFor } from '../support/samples.js';
import { createNotifications, createProfiles, drain, type LaunchSpec, launch, profilesOf } from '../support/world.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const STAGE = 'demo';

const FLEET: (LaunchSpec & { label: string })[] = [
  { label: 'missing profile', tags: { Name: 'web-1', app: 'web-frontend' } },
  { label: 'wrong profile, running', tags: { Name: 'web-2', app: 'web-api' }, profile: 'AdminProfile' },
  { label: 'right profile', tags: { Name: 'web-3', app: 'web-admin' }, profile: 'WebProfile' },
  { label: 'opted out', tags: { Name: 'legacy', app: 'web-legacy', 'profile-guard:ignore': 'true' } },
  { label: 'quarantined', tags: { Name: 'suspect', app: 'web-4', 'security:quarantine': 'true' }, profile: 'WebProfile' },
  { label: 'wrong profile, stopped', tags: { Name: 'batch-1', role: 'batch-nightly', team: 'data' }, profile: 'AdminProfile', stopped: true },
  { label: 'payments prod (+IMDSv2)', tags: { Name: 'pay-1', team: 'payments', env: 'prod' } },
  { label: 'unmatched (default)', tags: { Name: 'tools' } },
];

export interface DemoResult {
  before: Record<string, string | null>;
  after: Record<string, string | null>;
  labels: Record<string, string>;
}

function packageRules(): ReturnType<typeof rulesOf> {
  const { dir, template } = packageService(STAGE, {}, { region: REGION });
  try {
    return rulesOf(template, ACCOUNT, REGION);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runDemo(say: (line: string) => void = console.log): Promise<DemoResult> {
  const started = Date.now();
  // The SDK is pinned to a line that runs on Node 20 here; Lambda runs it on Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  say('profile-guard demo: starting a local AWS emulator (moto) ...');
  const moto = await startMoto();
  try {
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'demo',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'demo',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      POWERTOOLS_TRACE_ENABLED: 'false',
      // The handler's metric lines (EMF) are for CloudWatch, not for the reader of the demo.
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    });
    const clients = createClients();
    const mapping = loadMappingFile('mapping.yaml');
    await createProfiles(new IAMClient({}), mapping, ['AdminProfile']);
    const notifications = await createNotifications(clients.sns, clients.sqs, `profile-guard-${STAGE}`);
    Object.assign(process.env, { TOPIC_ARN: notifications.topicArn, DLQ_URL: notifications.dlqUrl, MAPPING_FILE: 'mapping.yaml', SETTLE_WAIT_SECONDS: '0' });

    const labels: Record<string, string> = {};
    for (const spec of FLEET) {
      const [id] = await launch(clients.ec2, spec);
      labels[id as string] = spec.label;
    }
    const ids = Object.keys(labels);
    const before = await profilesOf(clients.ec2, ids);
    say(`launched ${ids.length} instances, profiles created for mapping.yaml (+ a foreign AdminProfile)`);

    say('packaging the service to read its EventBridge rules (serverless package, offline) ...');
    const events = new EventBridgeClient({});
    const queues = await installRules(events, clients.sqs, packageRules());
    say(`installed ${queues.size} rules in the emulator: ${[...queues.keys()].join(', ')}`);

    // Handler imported after the environment is set: it reads it once, as in Lambda.
    const { handler } = await import('../functions/remediate.js');
    const context = { invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:profile-guard-${STAGE}-remediate` } as Context;
    const deliver = async (): Promise<number> => {
      let delivered = 0;
      for (const [rule, queueUrl] of queues) {
        for (const message of await drain(clients.sqs, queueUrl)) {
          const event = JSON.parse(message.Body ?? '{}');
          const result = await handler(event, context);
          say(
            `  ${rule} delivered ${event.detail?.eventName ?? event['detail-type']} -> ${result.status}, ${result.results.length} instance(s), report ${result.delivery ?? 'not needed'}`,
          );
          delivered++;
        }
      }
      return delivered;
    };

    say('\n1. someone launches the fleet (CloudTrail RunInstances), and profile-guard echoes are ignored:');
    await putSample(events, sampleFor('cloudtrail-run-instances', ids));
    await putSample(
      events,
      JSON.parse(JSON.stringify(sampleFor('cloudtrail-associate-by-profile-guard', ids)).replaceAll('profile-guard-dev-', `profile-guard-${STAGE}-`)),
    );
    if ((await deliver()) === 1) say("  (profile-guard's own AssociateIamInstanceProfile call was put too; no rule matched it)");

    say('\n2. alice swaps web-1 to AdminProfile by hand (ReplaceIamInstanceProfileAssociation); the drift rule fires:');
    const web1 = ids[0] as string;
    const [web1Facts] = await readFacts(clients.ec2, [web1]);
    await clients.ec2.send(
      new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: web1Facts?.association?.associationId, IamInstanceProfile: { Name: 'AdminProfile' } }),
    );
    await putSample(events, sampleFor('cloudtrail-replace-iam-instance-profile-association', [web1]));
    await deliver();

    const after = await profilesOf(clients.ec2, ids);
    say('\nBefore and after:');
    say(
      table(
        ['INSTANCE', 'CASE', 'BEFORE', 'AFTER'],
        ids.map((id) => [id, labels[id] as string, before[id] ?? '(none)', after[id] ?? '(none)']),
      ),
    );

    say('\nThe notifications, as the email subscriber reads them:');
    for (const message of await drain(clients.sqs, notifications.queueUrl)) {
      say('-'.repeat(100));
      say(renderText(reportSchema.parse(JSON.parse(message.Body ?? ''))));
    }
    say('-'.repeat(100));
    say(`demo finished in ${((Date.now() - started) / 1000).toFixed(1)}s; stopping the emulator.`);
    return { before, after, labels };
  } finally {
    await moto.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runDemo().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
