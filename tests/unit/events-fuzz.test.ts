import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../lib/events/catalogue.js';
import { isAccount, isArn, isEventId, isIsoTime, isRegion } from '../../lib/events/fields.js';
import { MAX_IDS_PER_EVENT, type ParsedEvent, parseEvent } from '../../lib/events/parse.js';
import { isInstanceId } from '../../lib/model.js';
import { hostileValue, mutatedSample, SAMPLE_NAMES } from '../../scripts/bench/events.js';
import { loadSample, sampleFor } from '../../support/samples.js';

const PRINTABLE = /^[\x20-\x7e]*$/;

/** What may leave the parser: only validated fields, and reasons a report can carry as they are. */
function expectClean(parsed: ParsedEvent): void {
  if (parsed.status === 'rejected') {
    expect(parsed.eventId === undefined || isEventId(parsed.eventId)).toBe(true);
    expect(parsed.reason).toMatch(PRINTABLE);
    expect(parsed.reason.length).toBeLessThan(1_000);
    return;
  }
  const { context } = parsed;
  expect(isEventId(context.eventId)).toBe(true);
  expect(context.account === undefined || isAccount(context.account)).toBe(true);
  expect(isRegion(context.region)).toBe(true);
  expect(isIsoTime(context.time)).toBe(true);
  expect(context.actor === undefined || isArn(context.actor)).toBe(true);
  for (const text of [context.detailType, context.eventName ?? '']) expect(text).toMatch(/^[A-Za-z0-9 -]*$/);
  if (parsed.status === 'ignored') {
    expect(parsed.reason).toMatch(PRINTABLE);
    return;
  }
  expect(parsed.instanceIds.every(isInstanceId)).toBe(true);
  expect(new Set(parsed.instanceIds).size).toBe(parsed.instanceIds.length);
  expect(parsed.instanceIds.length).toBeLessThanOrEqual(MAX_IDS_PER_EVENT);
  for (const warning of parsed.warnings) expect(warning).toMatch(PRINTABLE);
}

describe('parseEvent never throws, and lets out only validated fields', () => {
  it('on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectClean(parseEvent(value))),
      { numRuns: 500 },
    );
  });

  it(`on damaged copies of every sample in events/ (${SAMPLE_NAMES.length} of them): fields dropped, replaced by random JSON, huge arrays and strings`, () => {
    fc.assert(
      fc.property(mutatedSample, (event) => expectClean(parseEvent(event, { selfRoleArn: 'arn:aws:iam::123456789012:role/profile-guard-dev-us-east-1' }))),
      { numRuns: 400 },
    );
  });

  it.each(['account', 'region', 'id', 'time'])('whatever the %s holds, an accepted event carries a validated one', (field) => {
    fc.assert(
      fc.property(hostileValue, (value) => {
        const parsed = parseEvent({ ...loadSample('cloudtrail-run-instances'), [field]: value });
        expectClean(parsed);
      }),
      { numRuns: 150 },
    );
  });

  it('whatever userIdentity.arn holds, the actor is an ARN or absent, and the instances are still named', () => {
    fc.assert(
      fc.property(hostileValue, (arn) => {
        const event = loadSample('cloudtrail-run-instances') as { detail: { userIdentity: Record<string, unknown> } };
        event.detail.userIdentity.arn = arn;
        const parsed = parseEvent(event);
        expectClean(parsed);
        expect(parsed).toMatchObject({ status: 'accepted', instanceIds: ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002'] });
      }),
      { numRuns: 150 },
    );
  });
});

/**
 * The sample for an entry's kind with the list at one `[]` step of an id path replaced by `n` items, each
 * holding the rest of the path down to an instance id, so every step of the walk meets the flood.
 */
function flooded(path: string, step: number, n: number): Record<string, unknown> {
  const name = path.includes('CreateFleet') ? 'cloudtrail-create-fleet' : path.includes('resourcesSet') ? 'cloudtrail-create-tags' : 'cloudtrail-run-instances';
  const event = loadSample(name) as { detail: Record<string, unknown> };
  const steps = path.split('.');
  const key = (s: string) => s.replace(/\[\]$/, '');
  const rest = steps.slice(step + 1).reduceRight<unknown>((inner, s) => ({ [key(s)]: s.endsWith('[]') ? [inner] : inner }), 'i-0a1b2c3d4e5f60001');
  let node = event.detail;
  for (const s of steps.slice(0, step)) {
    const child = node[key(s)];
    const next = (typeof child === 'object' && child !== null && !Array.isArray(child) ? child : {}) as Record<string, unknown>;
    node[key(s)] = next;
    node = next;
  }
  node[key(steps[step] as string)] = new Array(n).fill(rest);
  return event;
}

describe('a flood at any list of any id path is rejected, never thrown', () => {
  const cases = CATALOGUE.flatMap((e) => e.idPaths.flatMap((path) => path.split('.').flatMap((s, step) => (s.endsWith('[]') ? [[path, step] as const] : []))));

  it.each(cases)('%s, step %i: 125,000 items (fits in 256 KiB as bare values)', (path, step) => {
    const parsed = parseEvent(flooded(path, step, 125_000));
    expect(parsed).toMatchObject({ status: 'rejected', reason: expect.stringContaining('the sweep will cover them') });
    expectClean(parsed);
  });

  it.each(cases)('%s, step %i: 3 items are read', (path, step) => {
    expect(parseEvent(flooded(path, step, 3))).toMatchObject({ status: 'accepted', instanceIds: ['i-0a1b2c3d4e5f60001'] });
  });
});

describe('validation is not stricter than AWS', () => {
  const instanceId = fc.oneof(fc.stringMatching(/^i-[0-9a-f]{17}$/), fc.stringMatching(/^i-[0-9a-f]{8}$/));
  const REGIONS = ['us-east-1', 'us-west-2', 'eu-central-2', 'ap-southeast-7', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1', 'il-central-1'];
  const region = fc.constantFrom(...REGIONS);

  it.each(['cloudtrail-run-instances', 'cloudtrail-create-fleet'])('a well-formed %s is accepted with exactly its instances', (name) => {
    fc.assert(
      fc.property(fc.uniqueArray(instanceId, { minLength: 1, maxLength: 50 }), fc.stringMatching(/^\d{12}$/), region, fc.uuid(), (ids, account, where, id) => {
        const parsed = parseEvent({ ...sampleFor(name, ids), account, region: where, id });
        expect(parsed).toMatchObject({ status: 'accepted', context: { account, region: where, eventId: id }, instanceIds: ids });
      }),
      { numRuns: 100 },
    );
  });
});
