/**
 * Reports bench: does every instance's result reach the machine channel (SQS/Lambda subscribers)
 * for a big event, in how many SNS messages, and how close the largest comes to SNS's limit.
 * Run alone with `npx tsx scripts/bench/reports.ts`.
 */
import { pathToFileURL } from 'node:url';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_ENGINE_OPTIONS } from '../../lib/engine.js';
import { silentLog } from '../../lib/log.js';
import { parseMapping } from '../../lib/mapping/load.js';
import { buildReport } from '../../lib/report/build.js';
import { deliverReport } from '../../lib/report/deliver.js';
import { SNS_MAX_MESSAGE_BYTES, type SnsMessage, snsMessageBytes } from '../../lib/report/message.js';
import { type Report, reportSchema } from '../../lib/report/schema.js';
import { runForEvent } from '../../lib/service.js';
import { mockEc2 } from '../../support/ec2-mock.js';
import { sampleFor } from '../../support/samples.js';
import { GOLDEN_INPUT, realisticResults } from '../../tests/fixtures/results.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:profile-guard-bench-reports';
const mapping = parseMapping(
  'version: 1\nrules:\n  - { name: checkout-prod-eu-west-1-blue, match: { tags: { app: "checkout-*" } }, profile: CheckoutServiceInstanceProfile }',
);
const where = { account: '123456789012', region: 'eu-west-1' };

interface Row {
  label: string;
  expected: number;
  published: PublishCommandInput[];
  ms: number;
}

/** SNS and SQS clients whose publishes are kept instead of sent. */
function capturingClients() {
  const sns = new SNSClient({ region: where.region });
  const sqs = new SQSClient({ region: where.region });
  const published: PublishCommandInput[] = [];
  mockClient(sns)
    .on(PublishCommand)
    .callsFake(async (input: PublishCommandInput) => {
      published.push(input);
      return { MessageId: String(published.length) };
    });
  mockClient(sqs).onAnyCommand().resolves({});
  return { sns, sqs, published };
}

/** A 1,000-instance RunInstances event through the whole service: EC2 mocked, the cap at its default of 50. */
async function event(n: number): Promise<Row> {
  const fleet = Array.from({ length: n }, (_, i) => ({
    id: `i-0a1b2c3d4${i.toString(16).padStart(8, '0')}`,
    tags: { app: 'checkout-api', Name: `checkout-api-prod-eu-west-1${'abc'[i % 3]}-blue-worker-${String(i).padStart(4, '0')}` },
  }));
  const { client: ec2 } = mockEc2(() => fleet);
  const { sns, sqs, published } = capturingClients();
  const runtime = {
    clients: { ec2, sns, sqs },
    mapping,
    log: silentLog,
    sleep: async () => {},
    config: { topicArn: TOPIC, mappingFile: 'inline', notifyLevel: 'changes' as const, engine: { ...DEFAULT_ENGINE_OPTIONS, settleWaitMs: 0 } },
  };
  const start = performance.now();
  await runForEvent(
    runtime,
    sampleFor(
      'cloudtrail-run-instances',
      fleet.map((f) => f.id),
    ),
    where,
  );
  const ms = performance.now() - start;
  return { label: `${n.toLocaleString('en')}-instance RunInstances event (cap 50: 50 fixed, ${n - 50} deferred)`, expected: n, published, ms };
}

/** A report of realistic results (long names, reasons, AWS error messages) straight to delivery. */
async function report(n: number): Promise<Row> {
  const { sns, sqs, published } = capturingClients();
  const { results: _golden, ...input } = GOLDEN_INPUT;
  const whole = buildReport({ ...input, results: realisticResults(n) });
  const start = performance.now();
  await deliverReport({ sns, sqs }, silentLog, whole, { topicArn: TOPIC, notifyLevel: 'changes' });
  return { label: `${n.toLocaleString('en')} realistic results (every outcome, long errors)`, expected: n, published, ms: performance.now() - start };
}

function line(row: Row): string {
  const parts: Report[] = row.published.map((p) => reportSchema.parse(JSON.parse(JSON.parse(p.Message ?? '{}').sqs)));
  const present = new Set(parts.flatMap((p) => p.results.map((r) => r.instanceId))).size;
  const bytes = row.published.map((p) => snsMessageBytes(p as SnsMessage));
  const email = Buffer.byteLength(JSON.parse(row.published.find((p) => p.MessageAttributes?.part?.StringValue === '1')?.Message ?? '{}').email ?? '');
  const largest = Math.max(...bytes);
  const cells = [
    row.label,
    `${present.toLocaleString('en')} of ${row.expected.toLocaleString('en')}`,
    String(parts.length),
    `${largest.toLocaleString('en')} (${((100 * largest) / SNS_MAX_MESSAGE_BYTES).toFixed(1)}%)`,
    email.toLocaleString('en'),
    row.ms.toFixed(0),
  ];
  return `| ${cells.join(' | ')} |`;
}

export async function benchReports(): Promise<void> {
  console.log('\n## Reports: every result reaches the machine channel');
  console.log(`SNS limit ${SNS_MAX_MESSAGE_BYTES.toLocaleString('en')} bytes (message + subject + attributes, as SNS counts them)\n`);
  console.log('| case | results in the machine channel | parts | largest part, bytes (of the limit) | email (part 1), bytes | ms |');
  console.log('|---|---|---|---|---|---|');
  for (const row of [await event(1000), await report(1000), await report(10_000)]) console.log(line(row));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchReports();
