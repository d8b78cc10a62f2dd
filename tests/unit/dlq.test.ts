import { describe, expect, it } from 'vitest';
import { classifyDeadLetter, type DeadLetter, MAX_DEAD_LETTER_BYTES, printable, type Stack, type StackInputs, stackFrom } from '../../lib/dlq.js';
import { type DlqFixture, dlqFixture } from '../fixtures/dlq/index.js';

const ACCOUNT = '123456789012';
const OTHER = '999999999999';
const QUEUE = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/profile-guard-dev-dlq`;

function stackOf(inputs: Partial<StackInputs> = {}): Stack {
  const found = stackFrom({ queueUrl: QUEUE, account: ACCOUNT, region: 'us-east-1', ...inputs });
  if (!found.ok) throw new Error(found.problem);
  return found.stack;
}
const DEV = stackOf();
const classify = (fixture: DlqFixture, stack = DEV) => classifyDeadLetter(JSON.stringify(fixture.body), fixture.attributes, stack);

/** Edits a fixture in place through a loosely typed view of its body, then returns it. */
function edited(name: Parameters<typeof dlqFixture>[0], edit: (body: any, attributes: DlqFixture['attributes']) => void): DlqFixture {
  const fixture = dlqFixture(name);
  edit(fixture.body, fixture.attributes);
  return fixture;
}
const str = (StringValue: string) => ({ DataType: 'String', StringValue });
const setAside = (looksLike: string, reason: string | RegExp) => ({
  kind: 'set-aside',
  looksLike,
  reason: typeof reason === 'string' ? reason : expect.stringMatching(reason),
});

describe('this stack comes from trusted inputs only', () => {
  it('derives functions, rules and topic from the queue, the caller account and the region', () => {
    expect(DEV).toEqual({
      name: 'profile-guard-dev',
      stage: 'dev',
      account: ACCOUNT,
      region: 'us-east-1',
      partition: 'aws',
      functions: {
        remediate: 'arn:aws:lambda:us-east-1:123456789012:function:profile-guard-dev-remediate',
        sweep: 'arn:aws:lambda:us-east-1:123456789012:function:profile-guard-dev-sweep',
      },
      eventRuleArns: ['run-instances', 'state-running', 'tags', 'profile-drift'].map(
        (r) => `arn:aws:events:us-east-1:123456789012:rule/profile-guard-dev-${r}`,
      ),
      sweepRuleArn: 'arn:aws:events:us-east-1:123456789012:rule/profile-guard-dev-sweep',
      topicArn: 'arn:aws:sns:us-east-1:123456789012:profile-guard-dev-reports',
    });
  });

  it.each([
    ['cn-north-1', 'https://sqs.cn-north-1.amazonaws.com.cn', 'arn:aws-cn:lambda:cn-north-1'],
    ['us-gov-west-1', 'https://sqs.us-gov-west-1.amazonaws.com', 'arn:aws-us-gov:lambda:us-gov-west-1'],
    ['eu-west-1', 'https://eu-west-1.queue.amazonaws.com', 'arn:aws:lambda:eu-west-1'],
  ])('uses the partition of %s', (region, host, prefix) => {
    const stack = stackOf({ region, queueUrl: `${host}/${ACCOUNT}/profile-guard-prod-dlq` });
    expect(stack.functions.sweep).toBe(`${prefix}:${ACCOUNT}:function:profile-guard-prod-sweep`);
    expect(stack.topicArn.split(':').slice(0, 4).join(':')).toBe(`${prefix.split(':').slice(0, 2).join(':')}:sns:${region}`);
  });

  it('takes a moto endpoint, a stage with hyphens, an agreeing --stage and a configured topic', () => {
    const stack = stackOf({
      queueUrl: `http://127.0.0.1:5000/${ACCOUNT}/profile-guard-team-a-dlq`,
      stage: 'team-a',
      topicArn: 'arn:aws:sns:us-east-1:123456789012:ops',
    });
    expect(stack).toMatchObject({ name: 'profile-guard-team-a', stage: 'team-a', topicArn: 'arn:aws:sns:us-east-1:123456789012:ops' });
  });

  it.each<[string, Partial<StackInputs>, string]>([
    ['not a URL', { queueUrl: 'profile-guard-dev-dlq' }, '--queue-url is not a URL: profile-guard-dev-dlq'],
    [
      'no account in the path',
      { queueUrl: 'https://sqs.us-east-1.amazonaws.com/profile-guard-dev-dlq' },
      '--queue-url must look like https://sqs.<region>.amazonaws.com/<account>/profile-guard-<stage>-dlq, not https://sqs.us-east-1.amazonaws.com/profile-guard-dev-dlq',
    ],
    [
      'another queue',
      { queueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/orders-dlq` },
      'queue orders-dlq is not a profile-guard DLQ (profile-guard-<stage>-dlq)',
    ],
    ['a stage the queue does not have', { stage: 'prod' }, '--stage prod does not match the queue profile-guard-dev-dlq (stage dev)'],
    [
      'a queue in another account',
      { queueUrl: `https://sqs.us-east-1.amazonaws.com/${OTHER}/profile-guard-dev-dlq` },
      `the queue is in account ${OTHER} but your credentials are for ${ACCOUNT}: redrive runs in the stack's own account`,
    ],
    ['a queue in another region', { region: 'eu-west-1' }, 'the queue is in us-east-1 but redrive runs in eu-west-1: pass --region us-east-1'],
    ['a topic that is not an ARN', { topicArn: 'reports' }, '--topic-arn is not an SNS topic ARN: reports'],
  ])('refuses %s', (_case, inputs, problem) => {
    expect(stackFrom({ queueUrl: QUEUE, account: ACCOUNT, region: 'us-east-1', ...inputs })).toEqual({ ok: false, problem });
  });
});

describe('the genuine dead letters of this stack are handled', () => {
  it('a failed remediate invocation carries its event', () => {
    const fixture = dlqFixture('lambda-destination-remediate');
    expect(classify(fixture)).toEqual({ kind: 'failed-invocation', functionArn: `${DEV.functions.remediate}:$LATEST`, event: fixture.body.requestPayload });
  });

  it("a failed sweep: the sweep's own record of its Scheduled Event", () => {
    expect(classify(dlqFixture('lambda-destination-sweep'))).toEqual({ kind: 'failed-sweep', origin: `${DEV.functions.sweep}:$LATEST` });
  });

  it("an event one of this stack's rules could not deliver", () => {
    const fixture = dlqFixture('eventbridge-undelivered');
    expect(classify(fixture)).toEqual({ kind: 'undelivered-event', ruleArn: DEV.eventRuleArns[2], event: fixture.body });
  });

  it('a schedule the sweep rule could not deliver is a failed sweep', () => {
    const fixture = edited('eventbridge-undelivered', (_body, attributes) => {
      attributes.RULE_ARN = str(DEV.sweepRuleArn);
      attributes.TARGET_ARN = str(DEV.functions.sweep);
    });
    fixture.body = dlqFixture('lambda-destination-sweep').body.requestPayload as Record<string, unknown>;
    expect(classify(fixture)).toEqual({ kind: 'failed-sweep', origin: DEV.sweepRuleArn });
  });

  it('an unpublished report goes to the configured topic, also when the envelope names none', () => {
    const fixture = dlqFixture('unpublished-report');
    expect(classify(fixture)).toEqual({ kind: 'unpublished-report', report: fixture.body.report, topicArn: DEV.topicArn });
    delete fixture.body.topicArn;
    const ops = stackOf({ topicArn: 'arn:aws:sns:us-east-1:123456789012:ops' });
    expect(classify(fixture, ops)).toMatchObject({ kind: 'unpublished-report', topicArn: 'arn:aws:sns:us-east-1:123456789012:ops' });
  });

  it.each(['', ':$LATEST', ':7'])('a function ARN may carry the qualifier "%s"', (qualifier) => {
    const fixture = edited('lambda-destination-remediate', (body) => {
      body.requestContext.functionArn = `${DEV.functions.remediate}${qualifier}`;
    });
    expect(classify(fixture).kind).toBe('failed-invocation');
  });
});

describe('anything not provably from this stack is set aside, with the reason', () => {
  it('a report naming another topic is never published, not even to ours', () => {
    const forged = edited('unpublished-report', (body) => {
      body.topicArn = `arn:aws:sns:us-east-1:${OTHER}:profile-guard-dev-reports`;
    });
    expect(classify(forged)).toEqual(
      setAside(
        'unpublished-report',
        `names topic arn:aws:sns:us-east-1:${OTHER}:profile-guard-dev-reports, not the configured topic ${DEV.topicArn}; reports go only to the configured topic`,
      ),
    );
    // The stack's own topic is "another topic" too when the operator configured a different one.
    const ops = stackOf({ topicArn: 'arn:aws:sns:us-east-1:123456789012:ops' });
    expect(classify(dlqFixture('unpublished-report'), ops)).toMatchObject({
      kind: 'set-aside',
      reason: expect.stringContaining(`names topic ${DEV.topicArn}`),
    });
  });

  it.each([
    ['account', OTHER, `a report about ${OTHER} us-east-1, not ${ACCOUNT} us-east-1`],
    ['region', 'eu-west-1', `a report about ${ACCOUNT} eu-west-1, not ${ACCOUNT} us-east-1`],
  ])('a report about another %s', (field, value, reason) => {
    const forged = edited('unpublished-report', (body) => {
      body.report[field] = value;
    });
    expect(classify(forged)).toEqual(setAside('unpublished-report', reason));
  });

  it.each([
    ['another account', `arn:aws:lambda:us-east-1:${OTHER}:function:profile-guard-dev-sweep`],
    ['another stage', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:profile-guard-prod-sweep`],
    ['another region', `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:profile-guard-dev-sweep`],
    ['a lookalike name', `${DEV.functions.sweep}er`],
    ['an alias', `${DEV.functions.sweep}:live`],
    ['version 0', `${DEV.functions.sweep}:0`],
    ['a second qualifier', `${DEV.functions.sweep}:$LATEST:1`],
    ['not a Lambda ARN', 'arn:aws:states:us-east-1:123456789012:stateMachine:profile-guard-dev-sweep'],
  ])('a "failed sweep" recorded by %s', (_case, functionArn) => {
    const forged = edited('lambda-destination-sweep', (body) => {
      body.requestContext.functionArn = functionArn;
    });
    expect(classify(forged)).toEqual(setAside('failed-sweep', `from function ${functionArn}, not profile-guard-dev-remediate or -sweep`));
  });

  it.each<[string, (payload: any) => void, string]>([
    [
      'whose payload is not a Scheduled Event',
      (p) => (p['detail-type'] = 'Object Created'),
      "from this stack's sweep, but its payload is not a Scheduled Event",
    ],
    [
      'for another rule',
      (p) => (p.resources = [`arn:aws:events:us-east-1:${ACCOUNT}:rule/profile-guard-prod-sweep`]),
      `from this stack's sweep, but its Scheduled Event does not name the sweep rule ${DEV.sweepRuleArn}`,
    ],
    ['from another account', (p) => (p.account = OTHER), `from this stack's sweep, but the event is from ${OTHER} us-east-1, not ${ACCOUNT} us-east-1`],
  ])("a record of this stack's sweep %s", (_case, edit, reason) => {
    const forged = edited('lambda-destination-sweep', (body) => edit(body.requestPayload));
    expect(classify(forged)).toEqual(setAside('failed-sweep', reason));
  });

  it('a Scheduled Event in a remediate record does not run the sweep', () => {
    const forged = edited('lambda-destination-sweep', (body) => {
      body.requestContext.functionArn = DEV.functions.remediate;
    });
    expect(classify(forged)).toEqual(setAside('failed-sweep', 'a Scheduled Event in a remediate record: only a record of the sweep itself re-runs the sweep'));
  });

  it.each<[string, (event: any) => void, string]>([
    ['from another account', (e) => (e.account = OTHER), `the event is from ${OTHER} us-east-1, not ${ACCOUNT} us-east-1`],
    ['from another region', (e) => (e.region = 'eu-west-1'), `the event is from ${ACCOUNT} eu-west-1, not ${ACCOUNT} us-east-1`],
    ['naming no account', (e) => delete e.account, 'the event names no account and region, so nothing shows it is from this account'],
  ])('a remediate record of an event %s', (_case, edit, reason) => {
    const forged = edited('lambda-destination-remediate', (body) => edit(body.requestPayload));
    expect(classify(forged)).toEqual(setAside('failed-invocation', reason));
  });

  it.each<[string, (attributes: DlqFixture['attributes']) => void, string | RegExp]>([
    ['without RULE_ARN', (a) => delete a.RULE_ARN, 'an EventBridge event without the RULE_ARN attribute EventBridge sets on every event it dead-letters'],
    [
      'from another stage',
      (a) => (a.RULE_ARN = str(`arn:aws:events:us-east-1:${ACCOUNT}:rule/profile-guard-prod-tags`)),
      `from rule arn:aws:events:us-east-1:${ACCOUNT}:rule/profile-guard-prod-tags, not one of profile-guard-dev's rules`,
    ],
    // profile-guard-dev-* also matches stage "dev-x": the rules are named exactly, never by prefix.
    [
      'from a stage that shares our prefix',
      (a) => (a.RULE_ARN = str(`arn:aws:events:us-east-1:${ACCOUNT}:rule/profile-guard-dev-x-tags`)),
      /^from rule .*profile-guard-dev-x-tags, not one of/,
    ],
    [
      'from another account',
      (a) => (a.RULE_ARN = str(`arn:aws:events:us-east-1:${OTHER}:rule/profile-guard-dev-tags`)),
      /^from rule arn:aws:events:us-east-1:999999999999:rule\/profile-guard-dev-tags, not one/,
    ],
    [
      'aimed at another target',
      (a) => (a.TARGET_ARN = str(`arn:aws:lambda:us-east-1:${OTHER}:function:x`)),
      `rule ${DEV.eventRuleArns[2]} targets ${DEV.functions.remediate}, but TARGET_ARN is arn:aws:lambda:us-east-1:${OTHER}:function:x`,
    ],
    ['without TARGET_ARN', (a) => delete a.TARGET_ARN, `rule ${DEV.eventRuleArns[2]} targets ${DEV.functions.remediate}, but TARGET_ARN is missing`],
    [
      'with an attribute that is not a string',
      (a) => (a.RULE_ARN = { DataType: 'Binary', BinaryValue: new Uint8Array([1]) }),
      /without the RULE_ARN attribute/,
    ],
  ])('an undelivered event %s', (_case, edit, reason) => {
    expect(classify(edited('eventbridge-undelivered', (_body, attributes) => edit(attributes)))).toEqual(setAside('undelivered-event', reason));
  });

  it("an undelivered event about another account, even from this stack's rule", () => {
    const forged = edited('eventbridge-undelivered', (body) => (body.account = OTHER));
    expect(classify(forged)).toEqual(setAside('undelivered-event', `the event is from ${OTHER} us-east-1, not ${ACCOUNT} us-east-1`));
  });

  it("a sweep rule's message that is not its Scheduled Event", () => {
    const forged = edited('eventbridge-undelivered', (_body, attributes) => {
      attributes.RULE_ARN = str(DEV.sweepRuleArn);
      attributes.TARGET_ARN = str(DEV.functions.sweep);
    });
    expect(classify(forged)).toEqual(setAside('failed-sweep', "from this stack's sweep rule, but its payload is not a Scheduled Event"));
  });

  it.each<[string, string | undefined, string]>([
    ['no body', undefined, 'the message has no body'],
    ['an empty body', '', 'the message has no body'],
    ['not JSON', 'hello', 'the body is not JSON'],
    ['a JSON array', '[{"requestContext":{}}]', 'neither a Lambda destination record, an EventBridge event nor a profile-guard report'],
    ['JSON null', 'null', 'neither a Lambda destination record, an EventBridge event nor a profile-guard report'],
    ['some other JSON', '{"Records":[]}', 'neither a Lambda destination record, an EventBridge event nor a profile-guard report'],
    ['an inherited key only', '{"__proto__":{"requestContext":{}}}', 'neither a Lambda destination record, an EventBridge event nor a profile-guard report'],
  ])('a malformed message: %s', (_case, body, reason) => {
    expect(classifyDeadLetter(body, {}, DEV)).toEqual(setAside('unknown', reason));
  });

  it('a body bigger than any genuine dead letter is not even parsed', () => {
    const body = JSON.stringify({ ...dlqFixture('unpublished-report').body, padding: 'x'.repeat(MAX_DEAD_LETTER_BYTES) });
    expect(classifyDeadLetter(body, {}, DEV)).toEqual(
      setAside('unknown', `the body is ${Buffer.byteLength(body)} bytes, more than any genuine dead letter (${MAX_DEAD_LETTER_BYTES})`),
    );
  });

  it.each<[string, DlqFixture, DeadLetter]>([
    [
      'a destination record without a function',
      edited('lambda-destination-remediate', (b) => (b.requestContext.functionArn = 42)),
      setAside(
        'failed-invocation',
        'a Lambda destination record, but requestContext.functionArn: Invalid input: expected string, received number',
      ) as DeadLetter,
    ],
    [
      'an envelope whose report is broken',
      edited('unpublished-report', (b) => (b.report.counts.changed = 'one')),
      setAside(
        'unpublished-report',
        'a profile-guard report envelope, but report.counts.changed: Invalid input: expected number, received string',
      ) as DeadLetter,
    ],
  ])('says where %s is broken', (_case, fixture, verdict) => {
    expect(classify(fixture)).toEqual(verdict);
  });

  it('prints nothing from a body that could drive a terminal', () => {
    const forged = edited('lambda-destination-remediate', (body) => {
      body.requestContext.functionArn = 'arn:\u001b[2J\u001b[31mevil\u202e\u0000';
    });
    expect(classify(forged)).toEqual(setAside('failed-invocation', 'from function arn:?[2J?[31mevil??, not profile-guard-dev-remediate or -sweep'));
    expect(printable('a'.repeat(200))).toBe(`${'a'.repeat(160)}…`);
  });
});
