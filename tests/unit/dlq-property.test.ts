import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyDeadLetter, type DeadLetter, type Stack, stackFrom } from '../../lib/dlq.js';
import { DLQ_FIXTURES, type DlqFixture, type DlqFixtureName, dlqFixture } from '../fixtures/dlq/index.js';

const found = stackFrom({ queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/profile-guard-dev-dlq', account: '123456789012', region: 'us-east-1' });
if (!found.ok) throw new Error(found.problem);
const stack: Stack = found.stack;

type Json = any;
const attr = (attributes: unknown, name: string): unknown => (attributes as Record<string, { StringValue?: unknown }> | undefined)?.[name]?.StringValue;
const ours = (event: Json) => event?.account === stack.account && event?.region === stack.region;
const isFunction = (arn: unknown, base: string) =>
  arn === base || arn === `${base}:$LATEST` || (typeof arn === 'string' && /^:[1-9]\d*$/.test(arn.slice(base.length)) && arn.startsWith(base));
const isSweepSchedule = (event: Json) =>
  event?.source === 'aws.events' &&
  event?.['detail-type'] === 'Scheduled Event' &&
  Array.isArray(event?.resources) &&
  event.resources.includes(stack.sweepRuleArn) &&
  ours(event);

/**
 * The oracle, written apart from lib/dlq.ts: whatever redrive would act on provably comes from this stack.
 * Checked against the raw body, not against what the classifier chose to return.
 */
function assertVouched(verdict: DeadLetter, body: string, attributes: unknown): void {
  if (verdict.kind === 'set-aside') {
    expect(verdict.reason.length).toBeGreaterThan(0);
    expect(verdict.reason).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    return;
  }
  const json: Json = JSON.parse(body);
  switch (verdict.kind) {
    case 'unpublished-report':
      expect(json.topicArn === undefined || json.topicArn === stack.topicArn).toBe(true);
      expect(verdict.topicArn).toBe(stack.topicArn);
      expect(ours(json.report)).toBe(true);
      return;
    case 'failed-invocation':
      expect(isFunction(json.requestContext.functionArn, stack.functions.remediate)).toBe(true);
      expect(ours(json.requestPayload)).toBe(true);
      return;
    case 'undelivered-event':
      expect(stack.eventRuleArns).toContain(attr(attributes, 'RULE_ARN'));
      expect(isFunction(attr(attributes, 'TARGET_ARN'), stack.functions.remediate)).toBe(true);
      expect(ours(json)).toBe(true);
      return;
    case 'failed-sweep': {
      const fromRecord = isFunction(json.requestContext?.functionArn, stack.functions.sweep) && isSweepSchedule(json.requestPayload);
      const fromRule =
        attr(attributes, 'RULE_ARN') === stack.sweepRuleArn && isFunction(attr(attributes, 'TARGET_ARN'), stack.functions.sweep) && isSweepSchedule(json);
      expect(fromRecord || fromRule).toBe(true);
    }
  }
}

function check(body: string, attributes: unknown): DeadLetter {
  const verdict = classifyDeadLetter(body, attributes, stack);
  assertVouched(verdict, body, attributes);
  return verdict;
}

/** Every path to a value in a JSON document, so a mutation can land anywhere in a real shape. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths(value[k], [...prefix, k]))];
}

function setAt(root: Json, path: (string | number)[], value: unknown, remove: boolean): Json {
  if (path.length === 0) return value;
  let node = root;
  for (const key of path.slice(0, -1)) node = node[key];
  const last = path[path.length - 1] as string | number;
  if (remove && !Array.isArray(node)) delete node[last];
  else node[last] = value;
  return root;
}

// Values an attacker would try: other accounts, regions, stages, topics, functions and rules, plus anything at all.
const foreign = fc.oneof(
  fc.constantFrom(
    '999999999999',
    'eu-west-1',
    'arn:aws:sns:us-east-1:999999999999:profile-guard-dev-reports',
    'arn:aws:lambda:us-east-1:999999999999:function:profile-guard-dev-sweep',
    'arn:aws:lambda:us-east-1:123456789012:function:profile-guard-prod-sweep:$LATEST',
    'arn:aws:events:us-east-1:123456789012:rule/profile-guard-dev-x-sweep',
    stack.sweepRuleArn,
    stack.functions.sweep,
    stack.topicArn,
    'Scheduled Event',
    'aws.events',
    'profile-guard.unpublished-report',
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

const mutation = fc.record({ pick: fc.nat(), value: foreign, remove: fc.boolean() });
const name = fc.constantFrom(...DLQ_FIXTURES);

describe('classifyDeadLetter on hostile bodies', () => {
  it('never throws on any string, with any attributes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), fc.anything(), (body, attributes) => {
        check(body, attributes);
      }),
    );
  });

  it('never throws on any JSON, and acts only on what provably comes from this stack', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.dictionary(fc.constantFrom('RULE_ARN', 'TARGET_ARN', 'ERROR_CODE', 'kind'), fc.record({ StringValue: foreign })),
        (json, attributes) => {
          check(JSON.stringify(json) ?? '', attributes);
        },
      ),
    );
  });

  it('real shapes with values changed, removed or forged anywhere are still either ours or set aside', () => {
    fc.assert(
      fc.property(name, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (fixtureName, mutations, onAttributes) => {
        const fixture: DlqFixture = dlqFixture(fixtureName);
        let target: Json = onAttributes ? fixture.attributes : fixture.body;
        for (const m of mutations) {
          const all = paths(target);
          target = setAt(target, all[m.pick % all.length] ?? [], structuredClone(m.value), m.remove);
        }
        const body = onAttributes ? fixture.body : target;
        const attributes = onAttributes ? target : fixture.attributes;
        check(JSON.stringify(body) ?? '', attributes);
      }),
      { numRuns: 400 },
    );
  });

  it('forging any one field a trust rule reads never gets a message handled', () => {
    // [fixture, where the field is, path] for each field a rule checks.
    const trustFields: [DlqFixtureName, 'body' | 'attributes', string[]][] = [
      ['lambda-destination-remediate', 'body', ['requestContext', 'functionArn']],
      ['lambda-destination-remediate', 'body', ['requestPayload', 'account']],
      ['lambda-destination-remediate', 'body', ['requestPayload', 'region']],
      ['lambda-destination-sweep', 'body', ['requestContext', 'functionArn']],
      ['lambda-destination-sweep', 'body', ['requestPayload', 'resources', '0']],
      ['lambda-destination-sweep', 'body', ['requestPayload', 'account']],
      ['lambda-destination-sweep', 'body', ['requestPayload', 'region']],
      ['eventbridge-undelivered', 'attributes', ['RULE_ARN', 'StringValue']],
      ['eventbridge-undelivered', 'attributes', ['TARGET_ARN', 'StringValue']],
      ['eventbridge-undelivered', 'body', ['account']],
      ['eventbridge-undelivered', 'body', ['region']],
      ['unpublished-report', 'body', ['topicArn']],
      ['unpublished-report', 'body', ['report', 'account']],
      ['unpublished-report', 'body', ['report', 'region']],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...trustFields), fc.oneof(foreign, fc.string()), ([fixtureName, where, path], value) => {
        const fixture = dlqFixture(fixtureName);
        const original = path.reduce<Json>((node, key) => node?.[key], fixture[where]);
        // A qualifier on our own function ARN is not a forgery; anything else different is.
        fc.pre(
          value !== original && !(typeof original === 'string' && typeof value === 'string' && value.startsWith(`${original.replace(/:\$LATEST$/, '')}:`)),
        );
        fc.pre(!(typeof original === 'string' && original.endsWith(':$LATEST') && value === original.replace(/:\$LATEST$/, '')));
        setAt(fixture[where], path, value, false);
        const verdict = check(JSON.stringify(fixture.body), fixture.attributes);
        expect(verdict.kind).toBe('set-aside');
      }),
      { numRuns: 400 },
    );
  });

  it('a body nested as deep as the size bound allows is set aside, not a stack overflow', () => {
    const depth = 120_000;
    expect(check(`${'['.repeat(depth)}${']'.repeat(depth)}`, {})).toMatchObject({ kind: 'set-aside' });
    expect(check(`${'{"requestContext":'.repeat(12_000)}1${'}'.repeat(12_000)}`, {})).toMatchObject({ kind: 'set-aside' });
  });

  it('each untouched fixture is handled', () => {
    for (const fixtureName of DLQ_FIXTURES) {
      const fixture = dlqFixture(fixtureName);
      expect(check(JSON.stringify(fixture.body), fixture.attributes).kind).not.toBe('set-aside');
    }
  });
});
