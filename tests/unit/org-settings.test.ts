import { describe, expect, it } from 'vitest';
import { hubOf, loadOrgSettings } from '../../lib/org/settings.js';
import { planTargets, sweepMessageSchema } from '../../lib/org/sweep.js';
import { targetOfEvent } from '../../lib/org/target.js';

describe('organization settings from the environment', () => {
  it('is off without ORG_ID (empty counts as unset), whatever else is set', () => {
    expect(loadOrgSettings({})).toBeUndefined();
    expect(loadOrgSettings({ ORG_ID: '', ORG_ACCOUNTS: 'junk' })).toBeUndefined();
  });

  it('reads the lists and names every bad value', () => {
    expect(
      loadOrgSettings({ ORG_ID: 'o-abc123defg', ORG_ACCOUNTS: '111111111111, 222222222222', ORG_REGIONS: 'eu-west-1', ORG_SUSPENDED_ACCOUNTS: '222222222222' }),
    ).toEqual({
      orgId: 'o-abc123defg',
      accounts: ['111111111111', '222222222222'],
      targetOus: [],
      regions: ['eu-west-1'],
      suspended: new Set(['222222222222']),
      sweepQueueUrl: undefined,
    });
    expect(() => loadOrgSettings({ ORG_ID: 'org', ORG_ACCOUNTS: '1234', ORG_REGIONS: 'Europe' })).toThrow(
      /ORG_ID: must be an organization id.*ORG_ACCOUNTS: must be a comma-separated list of 12-digit account ids.*ORG_REGIONS: must be a comma-separated list of regions/,
    );
  });

  it('finds the hub account and partition in the function role ARN', () => {
    expect(hubOf('arn:aws-us-gov:iam::123456789012:role/profile-guard-prod-us-gov-west-1')).toEqual({ account: '123456789012', partition: 'aws-us-gov' });
    expect(hubOf(undefined)).toBeUndefined();
    expect(hubOf('arn:aws:iam::12:role/x')).toBeUndefined();
  });
});

describe('where an event happened', () => {
  const fallback = { account: '123456789012', region: 'us-east-1' };

  it('takes the envelope, and rejects a detail that disagrees', () => {
    expect(
      targetOfEvent({ account: '111111111111', region: 'eu-west-1', detail: { recipientAccountId: '111111111111', awsRegion: 'eu-west-1' } }, fallback),
    ).toEqual({ target: { account: '111111111111', region: 'eu-west-1' } });
    expect(targetOfEvent({ account: '111111111111', region: 'eu-west-1', detail: { recipientAccountId: '<script>' } }, fallback)).toEqual({
      mismatch: 'the event is for account 111111111111 but its detail.recipientAccountId says (not an account id)',
    });
    expect(targetOfEvent({ account: '111111111111', region: 'eu-west-1', detail: { awsRegion: 'us-west-2' } }, fallback)).toEqual({
      mismatch: 'the event is for region eu-west-1 but its detail.awsRegion says us-west-2',
    });
  });

  it("falls back to the function's own account and region for a native event without them, and never throws", () => {
    expect(targetOfEvent({ region: 'eu-west-1', detail: { 'instance-id': 'i-1' } }, fallback)).toEqual({
      target: { account: '123456789012', region: 'eu-west-1' },
    });
    for (const hostile of [null, 42, 'x', [], { detail: null }, { account: 5, region: {} }]) expect(() => targetOfEvent(hostile, fallback)).not.toThrow();
  });
});

describe('sweep targets and messages', () => {
  it('plans account × region once each, without suspended accounts', () => {
    expect(planTargets(['1', '2', '1', '3'], ['a', 'b'], new Set(['3']))).toEqual([
      { account: '1', region: 'a' },
      { account: '1', region: 'b' },
      { account: '2', region: 'a' },
      { account: '2', region: 'b' },
    ]);
  });

  it('accepts only a well-formed target message', () => {
    expect(sweepMessageSchema.safeParse({ kind: 'profile-guard.sweep-target', account: '111111111111', region: 'eu-west-1' }).data).toMatchObject({
      continuation: 0,
    });
    for (const bad of [
      {},
      { kind: 'profile-guard.sweep-target', account: '111111111111', region: 'eu-west-1', extra: 1 },
      { kind: 'profile-guard.sweep-target', account: '111111111111', region: 'eu-west-1', continuation: -1 },
    ]) {
      expect(sweepMessageSchema.safeParse(bad).success).toBe(false);
    }
  });
});
