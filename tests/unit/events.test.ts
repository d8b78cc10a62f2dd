import { describe, expect, it } from 'vitest';
import { CATALOGUE, valuesAt } from '../../lib/events/catalogue.js';
import { MAX_IDS_PER_EVENT, parseEvent } from '../../lib/events/parse.js';
import { loadSample, sampleFor } from '../../lib/events/samples.js';

const SELF_ROLE = 'arn:aws:iam::123456789012:role/profile-guard-dev-us-east-1';

describe('sample events', () => {
  it.each([
    ['cloudtrail-run-instances', 'run-instances', ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002']],
    ['ec2-state-running', 'state-change', ['i-0a1b2c3d4e5f60001']],
    ['ec2-state-stopped', 'state-change', ['i-0a1b2c3d4e5f60001']],
    ['cloudtrail-create-tags', 'tags-changed', ['i-0a1b2c3d4e5f60001']],
    ['cloudtrail-delete-tags', 'tags-changed', ['i-0a1b2c3d4e5f60002']],
    ['cloudtrail-create-tags-volume', 'tags-changed', []],
    ['cloudtrail-associate-iam-instance-profile', 'profile-changed-by-others', ['i-0a1b2c3d4e5f60001']],
    ['cloudtrail-replace-iam-instance-profile-association', 'profile-changed-by-others', ['i-0a1b2c3d4e5f60001']],
    ['cloudtrail-disassociate-iam-instance-profile', 'profile-changed-by-others', ['i-0a1b2c3d4e5f60001']],
    ['cloudtrail-associate-by-iam-user', 'profile-changed-by-others', ['i-0a1b2c3d4e5f60002']],
  ])('%s names its instances', (name, kind, ids) => {
    const parsed = parseEvent(loadSample(name), { selfRoleArn: SELF_ROLE });
    expect(parsed).toMatchObject({ status: 'accepted', context: { kind, account: '123456789012', region: 'us-east-1' }, instanceIds: ids });
  });

  it('drops non-instance resources of a tag call and counts them', () => {
    expect(parseEvent(loadSample('cloudtrail-create-tags'))).toMatchObject({ status: 'accepted', droppedResources: 1 });
    expect(parseEvent(loadSample('cloudtrail-create-tags-volume'))).toMatchObject({ status: 'accepted', instanceIds: [], droppedResources: 2 });
  });

  it('ignores a failed RunInstances call', () => {
    expect(parseEvent(loadSample('cloudtrail-run-instances-failed'))).toMatchObject({ status: 'ignored', reason: expect.stringContaining('Client.UnauthorizedOperation') });
  });

  it("ignores profile-guard's own association calls", () => {
    expect(parseEvent(loadSample('cloudtrail-associate-by-profile-guard'), { selfRoleArn: SELF_ROLE })).toMatchObject({ status: 'ignored', reason: 'made by profile-guard itself' });
  });

  it('records who made the call', () => {
    const parsed = parseEvent(loadSample('cloudtrail-run-instances'));
    expect(parsed.status === 'accepted' && parsed.context.actor).toBe('arn:aws:sts::123456789012:assumed-role/PlatformDeployer/alice@example.com');
  });

  it('retargets a sample at other instances without changing its shape', () => {
    const event = sampleFor('cloudtrail-run-instances', ['i-11111111111111111', 'i-22222222222222222', 'i-33333333333333333']);
    expect(parseEvent(event)).toMatchObject({ instanceIds: ['i-11111111111111111', 'i-22222222222222222', 'i-33333333333333333'] });
    expect(parseEvent(sampleFor('ec2-state-running', ['i-44444444444444444']))).toMatchObject({ instanceIds: ['i-44444444444444444'] });
  });
});

describe('bad events are rejected with a reason, never thrown', () => {
  const run = loadSample('cloudtrail-run-instances');
  it.each<[string, unknown, RegExp]>([
    ['null', null, /not an EventBridge event/],
    ['a string', 'hello', /not an EventBridge event/],
    ['an SQS batch', { Records: [{ body: '{}' }] }, /not an EventBridge event: id:/],
    ['a bad account', { ...run, account: 'abc' }, /account must be 12 digits/],
    ['detail not an object', { ...run, detail: [] }, /detail:/],
    ['another service', { ...run, source: 'aws.s3' }, /unsupported event: source aws.s3/],
    ['an unknown CloudTrail call', { ...run, detail: { ...(run.detail as object), eventName: 'StopInstances' } }, /eventName StopInstances/],
    ['a RunInstances without ids', { ...run, detail: { ...(run.detail as object), responseElements: null } }, /carries no instance id at responseElements.instancesSet.items\[\].instanceId/],
    ['a state change with a malformed id', { ...loadSample('ec2-state-running'), detail: { 'instance-id': 'i-XYZ; drop', state: 'running' } }, /carries no instance id/],
  ])('%s', (_name, event, reason) => {
    const parsed = parseEvent(event);
    expect(parsed.status).toBe('rejected');
    expect(parsed.status === 'rejected' && parsed.reason).toMatch(reason);
  });

  it('an absurd number of ids', () => {
    const ids = Array.from({ length: MAX_IDS_PER_EVENT + 1 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    expect(parseEvent(sampleFor('cloudtrail-run-instances', ids))).toMatchObject({ status: 'rejected', reason: expect.stringContaining('the sweep will cover them') });
  });

  it('keeps the event id of a rejected event when it has one', () => {
    expect(parseEvent({ id: 'abc', source: 'x' })).toMatchObject({ status: 'rejected', eventId: 'abc' });
  });
});

describe('the catalogue', () => {
  it('walks arrays in paths', () => {
    expect(valuesAt({ a: { items: [{ b: 1 }, { b: 2 }, {}] } }, 'a.items[].b')).toEqual([1, 2]);
    expect(valuesAt({ a: null }, 'a.items[].b')).toEqual([]);
  });

  it('has one pattern per kind, all on aws.ec2', () => {
    expect(CATALOGUE.map((e) => e.kind)).toEqual(['run-instances', 'state-change', 'tags-changed', 'profile-changed-by-others']);
    for (const entry of CATALOGUE) expect(entry.pattern(SELF_ROLE)).toMatchObject({ source: ['aws.ec2'], 'detail-type': [entry.detailType] });
  });
});

describe('envelope fields', () => {
  it('accepts an event without account (moto targets omit it); the handler falls back to its own account', () => {
    const { account: _account, ...event } = loadSample('ec2-state-running');
    expect(parseEvent(event)).toMatchObject({ status: 'accepted', context: { account: undefined } });
  });
});
