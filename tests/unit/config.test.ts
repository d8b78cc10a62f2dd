import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { ConfigInvalidError } from '../../lib/errors.js';

describe('environment', () => {
  it('has safe defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mappingFile: `${process.cwd()}/mapping.yaml`,
      notifyLevel: 'changes',
      engine: { dryRun: false, maxChanges: 50, concurrency: 4, settleWaitMs: 20_000 },
    });
    expect(config.topicArn).toBeUndefined();
  });

  it('reads every setting', () => {
    const config = loadConfig({
      TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:profile-guard-prod-reports',
      DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/profile-guard-prod-dlq',
      MAPPING_FILE: 'mapping.prod.yaml',
      DRY_RUN: 'true',
      MAX_CHANGES: '200',
      CONCURRENCY: '8',
      SETTLE_WAIT_SECONDS: '0',
      NOTIFY_LEVEL: 'failures',
      SELF_ROLE_ARN: 'arn:aws:iam::123456789012:role/profile-guard-prod-eu-west-1',
    });
    expect(config).toMatchObject({
      mappingFile: `${process.cwd()}/mapping.prod.yaml`,
      notifyLevel: 'failures',
      engine: { dryRun: true, maxChanges: 200, concurrency: 8, settleWaitMs: 0 },
    });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ TOPIC_ARN: '', DRY_RUN: '' }).engine.dryRun).toBe(false);
  });

  it('names every bad variable in one error', () => {
    const bad = () => loadConfig({ DRY_RUN: 'yes', MAX_CHANGES: '0', TOPIC_ARN: 'my-topic', NOTIFY_LEVEL: 'loud' });
    expect(bad).toThrow(ConfigInvalidError);
    expect(bad).toThrow(/TOPIC_ARN: must be an SNS topic ARN; DRY_RUN: .*; MAX_CHANGES: .*; NOTIFY_LEVEL: /);
  });
});
