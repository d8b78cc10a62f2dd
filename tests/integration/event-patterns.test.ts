import { readFileSync } from 'node:fs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type MotoServer, startMoto } from '../../support/moto.js';
import { installRules, putSample, rulesOf } from '../../support/rules.js';
import { loadSample } from '../../support/samples.js';
import { drain } from '../../support/world.js';

const template = JSON.parse(readFileSync(inject('templateFile'), 'utf8'));
const packaged = rulesOf(template, '123456789012', 'us-east-1');
const STAGE_ROLE = 'profile-guard-test-us-east-1';

// moto flattens nested objects but not arrays of objects, so it never evaluates the tag rule's
// requestParameters.resourcesSet.items.resourceId filter the way EventBridge does (EventBridge matches
// if any item's resourceId starts with i-; moto finds no such field and matches nothing). The packaged
// rule is installed as it is, and next to it the same rule without that one filter, which checks the rest
// of the pattern on moto. The filter itself is asserted exactly in tests/template/patterns.test.ts.
const TAGS_RULE = 'profile-guard-test-tags';
const WITHOUT_ARRAY_FILTER = 'profile-guard-test-tags-without-resource-filter';
function withoutResourceFilter(pattern: Record<string, any>): Record<string, unknown> {
  const { requestParameters, ...detail } = pattern.detail;
  expect(requestParameters).toEqual({ resourcesSet: { items: { resourceId: [{ prefix: 'i-' }] } } });
  return { ...pattern, detail };
}

describe("the packaged rules' patterns, on moto's EventBridge", () => {
  let moto: MotoServer;
  const arrived = new Map<string, string[]>();

  beforeAll(async () => {
    moto = await startMoto();
    const events = new EventBridgeClient({ endpoint: moto.endpoint });
    const sqs = new SQSClient({ endpoint: moto.endpoint });
    const tags = packaged.find((r) => r.name === TAGS_RULE);
    if (!tags) throw new Error(`the template has no rule named ${TAGS_RULE}`);
    const queues = await installRules(events, sqs, [...packaged, { name: WITHOUT_ARRAY_FILTER, pattern: withoutResourceFilter(tags.pattern) }]);
    const samples = [
      'cloudtrail-run-instances',
      'cloudtrail-create-fleet',
      'cloudtrail-run-instances-failed',
      'ec2-state-running',
      'ec2-state-stopped',
      'cloudtrail-create-tags',
      'cloudtrail-delete-tags',
      'cloudtrail-create-tags-volume',
      'cloudtrail-associate-iam-instance-profile',
      'cloudtrail-replace-iam-instance-profile-association',
      'cloudtrail-disassociate-iam-instance-profile',
      'cloudtrail-associate-by-iam-user',
      'cloudtrail-associate-by-profile-guard',
    ];
    for (const name of samples) {
      // The "by profile-guard" sample is made by this stage's role.
      const event = JSON.parse(JSON.stringify(loadSample(name)).replaceAll('profile-guard-dev-us-east-1', STAGE_ROLE));
      await putSample(events, event);
      for (const [rule, queueUrl] of queues) {
        const messages = await drain(sqs, queueUrl);
        if (messages.length > 0) arrived.set(name, [...(arrived.get(name) ?? []), rule]);
      }
    }
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it.each([
    ['cloudtrail-run-instances', ['profile-guard-test-run-instances']],
    // One launch rule: its eventName list holds RunInstances and CreateFleet.
    ['cloudtrail-create-fleet', ['profile-guard-test-run-instances']],
    ['ec2-state-running', ['profile-guard-test-state-running']],
    // On moto only the rule without the array filter sees tag calls (see above). On EventBridge the packaged
    // rule receives the first two and never the volume-only call; the handler drops volumes either way.
    ['cloudtrail-create-tags', [WITHOUT_ARRAY_FILTER]],
    ['cloudtrail-delete-tags', [WITHOUT_ARRAY_FILTER]],
    ['cloudtrail-create-tags-volume', [WITHOUT_ARRAY_FILTER]],
    ['cloudtrail-associate-iam-instance-profile', ['profile-guard-test-profile-drift']],
    ['cloudtrail-replace-iam-instance-profile-association', ['profile-guard-test-profile-drift']],
    ['cloudtrail-disassociate-iam-instance-profile', ['profile-guard-test-profile-drift']],
    // An IAM user's call has no sessionContext: the $or branch with exists:false catches it.
    ['cloudtrail-associate-by-iam-user', ['profile-guard-test-profile-drift']],
  ])('%s reaches exactly %j', (sample, expected) => {
    expect(arrived.get(sample)).toEqual(expected);
  });

  it.each([
    ['a failed RunInstances (errorCode present)', 'cloudtrail-run-instances-failed'],
    ['a stopped state change', 'ec2-state-stopped'],
    ["profile-guard's own association call", 'cloudtrail-associate-by-profile-guard'],
  ])('%s reaches no rule', (_name, sample) => {
    expect(arrived.get(sample)).toBeUndefined();
  });
});
