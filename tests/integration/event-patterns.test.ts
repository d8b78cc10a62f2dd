import { readFileSync } from 'node:fs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadSample } from '../../lib/events/samples.js';
import { installRules, putSample, rulesOf } from '../../scripts/rules.js';
import { drain } from '../../scripts/world.js';
import { type MotoServer, startMoto } from '../../scripts/moto.js';

const template = JSON.parse(readFileSync(inject('templateFile'), 'utf8'));
const rules = rulesOf(template, '123456789012', 'us-east-1');
const STAGE_ROLE = 'profile-guard-test-us-east-1';

describe("the packaged rules' patterns, on moto's EventBridge", () => {
  let moto: MotoServer;
  const arrived = new Map<string, string[]>();

  beforeAll(async () => {
    moto = await startMoto();
    const events = new EventBridgeClient({ endpoint: moto.endpoint });
    const sqs = new SQSClient({ endpoint: moto.endpoint });
    const queues = await installRules(events, sqs, rules);
    const samples = [
      'cloudtrail-run-instances',
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
    ['ec2-state-running', ['profile-guard-test-state-running']],
    ['cloudtrail-create-tags', ['profile-guard-test-tags']],
    ['cloudtrail-delete-tags', ['profile-guard-test-tags']],
    // moto cannot look inside arrays of objects, so the tag rule matches on the event name and the handler drops volumes.
    ['cloudtrail-create-tags-volume', ['profile-guard-test-tags']],
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
