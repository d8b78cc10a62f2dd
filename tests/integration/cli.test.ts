import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/report/build.js';
import { UNPUBLISHED_REPORT_KIND } from '../../lib/report/deliver.js';
import { reportSchema } from '../../lib/report/schema.js';
import { sampleFor } from '../../support/samples.js';
import { createQueue, drain, launchCases, launchOne, profilesOf } from '../../support/world.js';
import { MIXED_RESULTS } from '../fixtures/results.js';
import { useWorld } from '../helpers/aws-world.js';
import { cli } from '../helpers/cli.js';
import { pick } from '../helpers/fleet.js';

describe('profile-guard validate', () => {
  it('accepts the shipped mapping', async () => {
    const result = await cli(['validate']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('mapping.yaml: valid: 4 rules, default BaselineSsmProfile, onWrongProfile replace');
  });

  it.each([
    [
      'schema',
      'invalid-rule.yaml',
      'tests/fixtures/mappings/invalid-rule.yaml: invalid mapping:\n  - rule 1 "broken" match: match needs at least one of tags, vpc, subnet (use "default" for a catch-all)\n  - rule 1 "broken" profile: must be an IAM instance profile name (letters, digits and +=,.@_-, at most 128), or "none"',
    ],
    [
      'unreachable rule',
      'shadowed.yaml',
      'tests/fixtures/mappings/shadowed.yaml: invalid mapping:\n  - rule 1 "web-payments": unreachable: rule 0 "all-web" matches every instance it would (first match wins); move it above or narrow the earlier rule',
    ],
    [
      'profile casing',
      'casing.yaml',
      'tests/fixtures/mappings/casing.yaml: invalid mapping:\n  - profile named with different casing: WebProfile, webprofile; IAM names are case-insensitive, use one spelling',
    ],
    [
      'YAML syntax',
      'syntax.yaml',
      'tests/fixtures/mappings/syntax.yaml: invalid mapping:\n  - YAML syntax, line 5, column 1: Flow map in block collection must be sufficiently indented and end with a }',
    ],
  ])('refuses a %s error with exit 2 and an exact message', async (_kind, file, message) => {
    const result = await cli(['validate', `tests/fixtures/mappings/${file}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(message);
  });

  it('exits 2 on bad usage', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['apply', '--max-changes', 'zero'])).code).toBe(2);
    expect((await cli(['plan', '--instance', 'web-1'])).stderr).toBe('profile-guard: not an instance id: web-1 (expected i- followed by 8 to 17 hex digits)');
  });

  it('has help for every command', async () => {
    for (const command of ['validate', 'plan', 'apply', 'redrive']) {
      const result = await cli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: profile-guard ${command}`);
    }
  });
});

describe('profile-guard plan, apply and redrive on moto', () => {
  const world = useWorld();
  beforeAll(() => {
    process.env.SETTLE_WAIT_SECONDS = '0';
  });

  const fleet = () => launchCases(world.clients.ec2, pick('missing', 'wrong', 'right', 'optedOut'));

  // What EventBridge sets on an event one of the dev stack's rules could not deliver.
  const ruleAttributes = (rule: string) => ({
    RULE_ARN: { DataType: 'String', StringValue: `arn:aws:events:us-east-1:123456789012:rule/profile-guard-dev-${rule}` },
    TARGET_ARN: { DataType: 'String', StringValue: 'arn:aws:lambda:us-east-1:123456789012:function:profile-guard-dev-remediate' },
  });

  const lineOf = (stdout: string, id: string) => stdout.split('\n').find((line) => line.startsWith(id)) ?? '';

  it('plan prints one line per instance and a summary, and changes nothing', async () => {
    const ids = await fleet();
    const before = await profilesOf(world.clients.ec2, Object.values(ids));

    const result = await cli(['plan']);

    expect(result.code).toBe(0);
    expect(lineOf(result.stdout, ids.missing)).toMatch(/missing\s+running\s+\(none\) -> WebProfile\s+web\s+associate\s+will change$/);
    expect(lineOf(result.stdout, ids.wrong)).toMatch(/wrong\s+running\s+AdminProfile -> WebProfile\s+web\s+replace\s+will change$/);
    expect(lineOf(result.stdout, ids.right)).toMatch(/right\s+running\s+WebProfile -> WebProfile\s+web\s+noop\s+unchanged$/);
    expect(lineOf(result.stdout, ids.optedOut)).toMatch(/legacy\s+running\s+skip\s+skipped$/);
    expect(result.stdout).toContain('123456789012 us-east-1: 2 would be fixed, 1 ok, 1 skipped');
    expect(await profilesOf(world.clients.ec2, Object.values(ids))).toEqual(before);
  });

  it('plan --json prints the machine report', async () => {
    const ids = await fleet();
    const result = await cli(['plan', '--json', '--instance', ids.missing, ids.right]);
    const report = reportSchema.parse(JSON.parse(result.stdout));
    expect(report).toMatchObject({ dryRun: true, trigger: { type: 'cli' }, counts: { planned: 1, unchanged: 1 } });
  });

  it('apply refuses to run unconfirmed without a terminal', async () => {
    const result = await cli(['apply']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('profile-guard: apply changes instances: run it on a terminal to confirm, or pass --yes');
  });

  it('apply asks, and a "no" changes nothing', async () => {
    const ids = await fleet();
    const result = await cli(['apply'], { interactive: true, answer: 'n' });
    expect(result.questions).toEqual(['Change 2 instance(s) in 123456789012 us-east-1? [y/N] ']);
    expect(result.stdout).toContain('Aborted: nothing was changed.');
    expect((await profilesOf(world.clients.ec2, [ids.missing]))[ids.missing]).toBeNull();
  });

  it('apply --yes makes the planned changes and prints the report; a second apply has nothing to do', async () => {
    const ids = await fleet();
    const first = await cli(['apply', '--yes']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('profile-guard: 2 fixed');
    expect(await profilesOf(world.clients.ec2, Object.values(ids))).toEqual({
      [ids.missing]: 'WebProfile',
      [ids.wrong]: 'WebProfile',
      [ids.right]: 'WebProfile',
      [ids.optedOut]: null,
    });

    const second = await cli(['apply', '--yes']);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('Nothing to do: 4 instances already match the mapping (or are skipped).');
  });

  it('redrive handles each kind of dead letter once, deletes it, and keeps what it cannot vouch for', async () => {
    const { sqs } = world.clients;
    const dlq = await createQueue(sqs, 'profile-guard-dev-dlq');
    const a = await launchOne(world.clients.ec2, { tags: { app: 'web-a' } });
    const b = await launchOne(world.clients.ec2, { tags: { app: 'web-b' } });
    const failedInvocation = {
      version: '1.0',
      timestamp: '2026-11-28T09:20:00.000Z',
      requestContext: {
        requestId: 'r-1',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:profile-guard-dev-remediate:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: sampleFor('ec2-state-running', [a]),
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'RetryableFailuresError', errorMessage: '1 instance(s) failed with a retryable error' },
    };
    const undelivered = sampleFor('cloudtrail-run-instances', [b]);
    const report = buildReport({ account: '123456789012', region: 'us-east-1', dryRun: false, trigger: { type: 'event' }, results: MIXED_RESULTS });
    const unpublished = {
      kind: UNPUBLISHED_REPORT_KIND,
      version: 1,
      topicArn: world.notifications.topicArn,
      error: { name: 'KMSAccessDeniedException' },
      report,
    };
    const poison = { ...failedInvocation, requestPayload: { hello: 'not an event' } };
    const failedSweep = {
      ...failedInvocation,
      requestContext: { ...failedInvocation.requestContext, functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:profile-guard-dev-sweep:$LATEST' },
      requestPayload: {
        version: '0',
        id: 's-1',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '123456789012',
        time: '2026-11-28T09:00:00Z',
        region: 'us-east-1',
        resources: ['arn:aws:events:us-east-1:123456789012:rule/profile-guard-dev-sweep'],
        detail: {},
      },
    };
    for (const body of [failedInvocation, undelivered, unpublished, poison, failedSweep]) {
      const fromRule = body === undelivered ? ruleAttributes('run-instances') : undefined;
      await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: JSON.stringify(body), MessageAttributes: fromRule }));
    }

    const result = await cli(['redrive', '--queue-url', dlq, '--topic-arn', world.notifications.topicArn]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('5 message(s): 4 handled and deleted, 0 failed again and kept, 1 set aside and kept');
    expect(result.stdout).toMatch(/failed-sweep\s+deleted\s+sweep ran again: /);
    expect(result.stdout).toMatch(/failed-invocation\s+deleted\s+1 fixed/);
    expect(result.stdout).toMatch(/undelivered-event\s+deleted\s+1 fixed/);
    expect(result.stdout).toMatch(/unpublished-report\s+deleted\s+published report/);
    expect(result.stdout).toMatch(/failed-invocation\s+set aside\s+the event names no account and region/);
    expect(await profilesOf(world.clients.ec2, [a, b])).toEqual({ [a]: 'WebProfile', [b]: 'WebProfile' });
    // The republished report reached the topic's subscriber.
    const delivered = (await drain(sqs, world.notifications.queueUrl)).map((m) => reportSchema.parse(JSON.parse(m.Body ?? '')).reportId);
    expect(delivered).toContain(report.reportId);
    // Only the poison message is left, visible again for the alarm and the next redrive.
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' });

    const again = await cli(['redrive', '--queue-url', dlq]);
    expect(again.stdout).toContain('1 message(s): 0 handled and deleted, 0 failed again and kept, 1 set aside and kept');
  });

  it('redrive --dry-run changes and deletes nothing', async () => {
    const dlq = await createQueue(world.clients.sqs, 'profile-guard-dev-dlq');
    const a = await launchOne(world.clients.ec2, { tags: { app: 'web-a' } });
    await world.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: dlq,
        MessageBody: JSON.stringify(sampleFor('ec2-state-running', [a])),
        MessageAttributes: ruleAttributes('state-running'),
      }),
    );
    const result = await cli(['redrive', '--queue-url', dlq, '--dry-run']);
    expect(result.stdout).toMatch(/undelivered-event\s+would handle\s+1 would be fixed/);
    expect(await profilesOf(world.clients.ec2, [a])).toEqual({ [a]: null });
    const { Attributes } = await world.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
  });

  it('redrive without a queue says how to name one', async () => {
    delete process.env.DLQ_URL;
    const result = await cli(['redrive']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('redrive needs the DLQ: --queue-url, or DLQ_URL in the environment');
  });
});
