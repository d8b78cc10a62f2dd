import { describe, expect, it } from 'vitest';
import { CATALOGUE, valuesAt } from '../../lib/events/catalogue.js';
import { show } from '../../lib/events/fields.js';
import { MAX_IDS_PER_EVENT, parseEvent } from '../../lib/events/parse.js';
import { loadSample, sampleFor } from '../../support/samples.js';
import { TAG_RULE_PATTERN } from '../fixtures/patterns.js';

const SELF_ROLE = 'arn:aws:iam::123456789012:role/profile-guard-dev-us-east-1';
const EVENTBRIDGE_MAX_BYTES = 256 * 1024;

type Json = Record<string, any>;
const copy = (name: string): Json => loadSample(name) as Json;
const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);

describe('sample events', () => {
  it.each([
    ['cloudtrail-run-instances', 'run-instances', ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002']],
    ['cloudtrail-create-fleet', 'run-instances', ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002']],
    ['ec2-state-running', 'state-change', ['i-0a1b2c3d4e5f60001']],
    ['ec2-state-stopped', 'state-change', ['i-0a1b2c3d4e5f60001']],
    ['cloudtrail-create-tags', 'tags-changed', ['i-0a1b2c3d4e5f60001']],
    ['cloudtrail-delete-tags', 'tags-changed', ['i-0a1b2c3d4e5f60002']],
    ['cloudtrail-create-tags-volume', 'tags-changed', []],
    ['cloudtrail-associate-iam-instance-profile', 'profile-changed-by-others', ['i-0a1b2c3d4e5f60001']],
    ['cloudtrail-replace-iam-instance-profile-association', 'profile-changed-by-others', ['i-0a1b2c3d4e5f60001']],
    ['cloudtrail-disassociate-iam-instance-profile', 'profile-changed-by-others', ['i-0a1b2c3d4e5f60001']],
    ['cloudtrail-associate-by-iam-user', 'profile-changed-by-others', ['i-0a1b2c3d4e5f60002']],
  ])('%s names its instances', (name, kind, expected) => {
    const parsed = parseEvent(loadSample(name), { selfRoleArn: SELF_ROLE });
    expect(parsed).toMatchObject({ status: 'accepted', context: { kind, account: '123456789012', region: 'us-east-1' }, instanceIds: expected, warnings: [] });
  });

  it('drops non-instance resources of a tag call and counts them', () => {
    expect(parseEvent(loadSample('cloudtrail-create-tags'))).toMatchObject({ status: 'accepted', droppedResources: 1 });
    expect(parseEvent(loadSample('cloudtrail-create-tags-volume'))).toMatchObject({ status: 'accepted', instanceIds: [], droppedResources: 2 });
  });

  it('ignores a failed RunInstances call', () => {
    expect(parseEvent(loadSample('cloudtrail-run-instances-failed'))).toMatchObject({
      status: 'ignored',
      reason: expect.stringContaining('Client.UnauthorizedOperation'),
    });
  });

  it("ignores profile-guard's own association calls", () => {
    expect(parseEvent(loadSample('cloudtrail-associate-by-profile-guard'), { selfRoleArn: SELF_ROLE })).toMatchObject({
      status: 'ignored',
      reason: 'made by profile-guard itself',
    });
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

  it('retargets the CreateFleet sample, writing one id as CloudTrail does (a bare value)', () => {
    const one = sampleFor('cloudtrail-create-fleet', ['i-55555555555555555']) as Json;
    expect(one.detail.responseElements.CreateFleetResponse.fleetInstanceSet.item.instanceIds).toEqual({ item: 'i-55555555555555555' });
    expect(parseEvent(one)).toMatchObject({ status: 'accepted', instanceIds: ['i-55555555555555555'] });
    expect(parseEvent(sampleFor('cloudtrail-create-fleet', ids(3)))).toMatchObject({ status: 'accepted', instanceIds: ids(3) });
  });
});

describe('CreateFleet (Karpenter, EC2 Fleet instant)', () => {
  const fleet = () => copy('cloudtrail-create-fleet');

  it('reads ids from every item of fleetInstanceSet, whether an item holds one id or several', () => {
    const event = fleet();
    const [a, b, c] = ids(3);
    event.detail.responseElements.CreateFleetResponse.fleetInstanceSet.item = [
      { lifecycle: 'on-demand', instanceType: 'm7g.large', instanceIds: { item: [a, b] } },
      { lifecycle: 'spot', instanceType: 'm6g.large', instanceIds: { item: c } },
    ];
    expect(parseEvent(event)).toMatchObject({ status: 'accepted', context: { kind: 'run-instances', eventName: 'CreateFleet' }, instanceIds: [a, b, c] });
  });

  it.each([
    ['maintain', 'maintain'],
    ['request', 'request'],
    ['the default type (maintain)', undefined],
  ])('ignores a %s fleet: it launches later, the running event and the sweep cover it', (_name, type) => {
    const event = fleet();
    event.detail.requestParameters.CreateFleetRequest.Type = type;
    event.detail.responseElements.CreateFleetResponse = { fleetId: 'fleet-5f8e2a1b-3c4d-4e5f-a6b7-c8d9e0f1a2b3' };
    expect(parseEvent(event)).toMatchObject({ status: 'ignored', reason: expect.stringContaining('running state-change event and the sweep') });
  });

  it('ignores an instant fleet that launched nothing (CloudTrail writes the empty set as "")', () => {
    const event = fleet();
    event.detail.responseElements.CreateFleetResponse.fleetInstanceSet = '';
    event.detail.responseElements.CreateFleetResponse.errorSet = { item: { errorCode: 'InsufficientInstanceCapacity', lifecycle: 'on-demand' } };
    expect(parseEvent(event)).toMatchObject({ status: 'ignored', reason: expect.stringContaining('launched no instance') });
  });

  it('still rejects a RunInstances without ids', () => {
    const event = copy('cloudtrail-run-instances');
    event.detail.responseElements = null;
    expect(parseEvent(event)).toMatchObject({ status: 'rejected', reason: expect.stringContaining('carries no instance id') });
  });
});

describe('bad events are rejected with a reason, never thrown', () => {
  const run = loadSample('cloudtrail-run-instances');
  it.each<[string, unknown, RegExp]>([
    ['null', null, /not an EventBridge event: event: must be an object/],
    ['a string', 'hello', /not an EventBridge event/],
    ['an array', [run], /not an EventBridge event: event: must be an object/],
    ['an SQS batch', { Records: [{ body: '{}' }] }, /not an EventBridge event: id:/],
    ['a bad account', { ...run, account: 'abc' }, /account: must be 12 digits/],
    ['an account in other digits', { ...run, account: '١٢٣٤٥٦٧٨٩٠١٢' }, /account: must be 12 digits/],
    ['an account with a newline', { ...run, account: '123456789012\n' }, /account: must be 12 digits/],
    ['a region with a control character', { ...run, region: 'us-east-1\u0007' }, /region: must be an AWS region/],
    ['a region with a right-to-left mark', { ...run, region: 'us-east-\u200f1' }, /region: must be an AWS region/],
    ['an upper-case region', { ...run, region: 'US-EAST-1' }, /region: must be an AWS region/],
    ['a huge region', { ...run, region: `us-${'a-'.repeat(100_000)}1` }, /region: must be an AWS region/],
    ['a time that is not ISO-8601', { ...run, time: 'yesterday' }, /time: must be an ISO-8601 date-time/],
    ['a time on a day that does not exist', { ...run, time: '2026-02-30T10:00:00Z' }, /time: must be an ISO-8601 date-time/],
    ['a time at hour 25', { ...run, time: '2026-02-28T25:00:00Z' }, /time: must be an ISO-8601 date-time/],
    ['an event id with a control character', { ...run, id: 'abc\u0000' }, /id: must be 1 to 128 printable ASCII/],
    ['a huge event id', { ...run, id: 'x'.repeat(10_000) }, /id: must be 1 to 128 printable ASCII/],
    ['detail not an object', { ...run, detail: [] }, /detail: must be an object/],
    ['another service', { ...run, source: 'aws.s3' }, /unsupported event: source "aws.s3"/],
    ['an unknown CloudTrail call', { ...run, detail: { ...(run.detail as object), eventName: 'StopInstances' } }, /eventName "StopInstances"/],
    [
      'a CloudTrail call from another service',
      { ...run, detail: { ...(run.detail as object), eventSource: 'evil.amazonaws.com' } },
      /detail.eventSource: "evil.amazonaws.com" is not ec2.amazonaws.com/,
    ],
    [
      'a RunInstances without ids',
      { ...run, detail: { ...(run.detail as object), responseElements: null } },
      /carries no instance id at detail.responseElements.instancesSet.items\[\].instanceId/,
    ],
    [
      'a state change with a malformed id',
      { ...loadSample('ec2-state-running'), detail: { 'instance-id': 'i-XYZ; drop', state: 'running' } },
      /carries no instance id/,
    ],
  ])('%s', (_name, event, reason) => {
    const parsed = parseEvent(event);
    expect(parsed.status).toBe('rejected');
    expect(parsed.status === 'rejected' && parsed.reason).toMatch(reason);
  });

  it('names every bad field at once', () => {
    expect(parseEvent({ ...run, account: 'x', region: 'y', time: 'z' })).toMatchObject({ reason: expect.stringMatching(/account: .*; region: .*; time: /) });
  });

  it('an absurd number of ids', () => {
    expect(parseEvent(sampleFor('cloudtrail-run-instances', ids(MAX_IDS_PER_EVENT + 1)))).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('the sweep will cover them'),
    });
    expect(parseEvent(sampleFor('cloudtrail-run-instances', ids(MAX_IDS_PER_EVENT)))).toMatchObject({ status: 'accepted' });
  });

  // Regression: the walk spread each array into push(...), and V8 throws RangeError past ~120,000 arguments.
  it('a CreateTags inside the 256 KiB EventBridge limit carrying 125,000 items is rejected, not thrown', () => {
    const event = copy('cloudtrail-create-tags');
    event.detail.requestParameters.resourcesSet.items = new Array(125_000).fill(0);
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(EVENTBRIDGE_MAX_BYTES);
    expect(parseEvent(event)).toMatchObject({
      status: 'rejected',
      reason: `detail.requestParameters.resourcesSet.items[].resourceId holds more than ${MAX_IDS_PER_EVENT} values; the sweep will cover them`,
    });
  });

  it('a RunInstances carrying 125,000 items is rejected, not thrown', () => {
    const event = copy('cloudtrail-run-instances');
    event.detail.responseElements.instancesSet.items = new Array(125_000).fill({});
    expect(parseEvent(event)).toMatchObject({ status: 'rejected', reason: expect.stringContaining('the sweep will cover them') });
  });

  it('keeps the event id of a rejected event when it has a valid one', () => {
    expect(parseEvent({ id: 'abc', source: 'x' })).toMatchObject({ status: 'rejected', eventId: 'abc' });
    expect(parseEvent({ id: 'abc\u001b[31m', source: 'x' })).toMatchObject({ status: 'rejected', eventId: undefined });
  });

  it('quotes event values in a reason as bounded printable ASCII', () => {
    const parsed = parseEvent({ ...run, source: `aws.s3\r\nSubject: forged\u202e${'x'.repeat(500)}` });
    expect(parsed).toMatchObject({ status: 'rejected' });
    const reason = parsed.status === 'rejected' ? parsed.reason : '';
    expect(reason).toMatch(/^[\x20-\x7e]+$/);
    expect(reason).toContain('"aws.s3\\u000d\\u000aSubject: forged\\u202e');
    expect(reason.length).toBeLessThan(300);
  });
});

describe('fields that reach a report are validated', () => {
  const run = loadSample('cloudtrail-run-instances');

  const regions = ['us-east-1', 'us-gov-west-1', 'cn-north-1', 'eu-central-2', 'ap-southeast-7', 'us-iso-east-1', 'eusc-de-east-1'];
  it.each(regions)('accepts the region %s', (region) => {
    expect(parseEvent({ ...run, region })).toMatchObject({ status: 'accepted', context: { region } });
  });

  it.each(['2026-11-28T09:14:03Z', '2026-11-28T09:14:03.123Z', '2026-11-28T10:14:03+01:00'])('accepts the time %s', (time) => {
    expect(parseEvent({ ...run, time })).toMatchObject({ status: 'accepted', context: { time } });
  });

  it('accepts an event without account (moto targets omit it); the handler falls back to its own account', () => {
    const { account: _account, ...event } = loadSample('ec2-state-running');
    expect(parseEvent(event)).toMatchObject({ status: 'accepted', context: { account: undefined } });
  });

  it.each<[string, unknown]>([
    ['not an ARN', 'alice'],
    ['an ARN with a newline', 'arn:aws:iam::123456789012:user/alice\nBy: root'],
    ['an ARN with non-ASCII', 'arn:aws:iam::123456789012:user/ålice'],
    ['a huge ARN', `arn:aws:iam::123456789012:user/${'a'.repeat(5000)}`],
    ['a number', 42],
  ])('drops an actor that is %s, says so, and still fixes the instances', (_name, arn) => {
    const event = copy('cloudtrail-run-instances');
    event.detail.userIdentity.arn = arn;
    const parsed = parseEvent(event);
    expect(parsed).toMatchObject({ status: 'accepted', context: { actor: undefined }, instanceIds: ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002'] });
    const warning = /^detail\.userIdentity\.arn: not an ARN \(.*\); left out of the report$/;
    expect(parsed.status === 'accepted' && parsed.warnings).toEqual([expect.stringMatching(warning)]);
  });

  it.each([
    'arn:aws:iam::123456789012:root',
    'arn:aws-us-gov:sts::123456789012:assumed-role/Deployer/ci+build=1,x.y@example.com',
    'arn:aws-cn:iam::123456789012:user/path/to/bob',
  ])('keeps the actor %s', (arn) => {
    const event = copy('cloudtrail-run-instances');
    event.detail.userIdentity.arn = arn;
    expect(parseEvent(event)).toMatchObject({ status: 'accepted', context: { actor: arn }, warnings: [] });
  });

  it('an AWS service caller has no ARN: no actor, no warning', () => {
    const event = copy('cloudtrail-run-instances');
    event.detail.userIdentity = { type: 'AWSService', invokedBy: 'autoscaling.amazonaws.com' };
    expect(parseEvent(event)).toMatchObject({ status: 'accepted', context: { actor: undefined }, warnings: [] });
  });

  it('takes eventName and detail-type from the catalogue, never from the event', () => {
    const event = copy('ec2-state-running');
    event.detail.eventName = 'Anything\u0000';
    expect(parseEvent(event)).toMatchObject({ status: 'accepted', context: { eventName: undefined, detailType: 'EC2 Instance State-change Notification' } });
  });
});

describe('the catalogue', () => {
  it('walks arrays in paths, and takes a single value where CloudTrail collapsed a list of one', () => {
    expect(valuesAt({ a: { items: [{ b: 1 }, { b: 2 }, {}] } }, 'a.items[].b', 10)).toEqual({ values: [1, 2], truncated: false });
    expect(valuesAt({ a: { items: { b: 1 } } }, 'a.items[].b', 10)).toEqual({ values: [1], truncated: false });
    expect(valuesAt({ a: null }, 'a.items[].b', 10)).toEqual({ values: [], truncated: false });
    expect(valuesAt({ a: '' }, 'a.items[].b', 10)).toEqual({ values: [], truncated: false });
  });

  it('stops at the limit and says so', () => {
    expect(valuesAt({ items: [1, 2, 3] }, 'items[]', 3)).toEqual({ values: [1, 2, 3], truncated: false });
    expect(valuesAt({ items: [1, 2, 3, 4] }, 'items[]', 3)).toEqual({ values: [1, 2, 3], truncated: true });
    // An intermediate step counts too: 200,000 empty objects are not walked to the end.
    expect(valuesAt({ items: new Array(200_000).fill({}) }, 'items[].id', 10)).toMatchObject({ truncated: true });
  });

  it('reads own properties only', () => {
    expect(valuesAt({}, 'constructor', 10)).toEqual({ values: [], truncated: false });
    const own = JSON.parse('{"__proto__": {"x": "i-0123456789abcdef0"}}');
    expect(valuesAt(own, '__proto__.x', 10)).toEqual({ values: ['i-0123456789abcdef0'], truncated: false });
  });

  it('has one pattern per kind, all on aws.ec2', () => {
    expect(CATALOGUE.map((e) => e.kind)).toEqual(['run-instances', 'state-change', 'tags-changed', 'profile-changed-by-others']);
    for (const entry of CATALOGUE) expect(entry.pattern(SELF_ROLE)).toMatchObject({ source: ['aws.ec2'], 'detail-type': [entry.detailType] });
  });

  it('one launch rule: RunInstances and CreateFleet', () => {
    expect(CATALOGUE[0]?.pattern(SELF_ROLE)).toMatchObject({ detail: { eventName: ['RunInstances', 'CreateFleet'] } });
  });

  it('the tag rule asks EventBridge for calls naming at least one i-… resource', () => {
    const tags = CATALOGUE.find((e) => e.kind === 'tags-changed');
    expect(tags?.pattern(SELF_ROLE)).toEqual(TAG_RULE_PATTERN);
  });
});

describe('show', () => {
  it('quotes, bounds and escapes', () => {
    expect(show('us-east-1')).toBe('"us-east-1"');
    expect(show('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(show('x'.repeat(100))).toBe(`"${'x'.repeat(64)}"... (100 characters)`);
    expect(show(null)).toBe('null');
    expect(show([1])).toBe('an array');
    expect(show(3)).toBe('a number');
  });
});
