import { createServer, request as httpRequest, type Server } from 'node:http';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, type FaultRule, identifyCall, seededRandom, startFaultProxy, validateRule } from '../../support/fault-proxy.js';

// A tiny upstream standing in for moto: it records the actions it receives and answers 200.
let upstream: Server;
let upstreamUrl: string;
const received: string[] = [];

beforeAll(async () => {
  upstream = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      received.push(new URLSearchParams(body).get('Action') ?? String(request.headers['x-amz-target']));
      response.writeHead(200, { 'content-type': 'text/xml', 'x-upstream': 'yes' });
      response.end(`<ok>${body}</ok>`);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const address = upstream.address();
  upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

const proxies: FaultProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
  received.length = 0;
});
async function proxy(rules: FaultRule[] = [], seed = 1): Promise<FaultProxy> {
  const started = await startFaultProxy({ upstream: upstreamUrl, rules, seed });
  proxies.push(started);
  return started;
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, unknown>;
}

/** One signed-looking query-protocol call on a fresh connection; rejects with the socket error. */
function call(endpoint: string, action: string, service = 'ec2'): Promise<Answer> {
  const body = `Action=${action}&Version=2016-11-15`;
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${endpoint}/`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text, headers: response.headers }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
const errorCode = (promise: Promise<unknown>) =>
  promise.then(
    () => 'answered',
    (error: NodeJS.ErrnoException) => error.code ?? error.message,
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('identifying the AWS call', () => {
  it('reads the service from the SigV4 scope and the action from a query body or the JSON target', () => {
    const scope = (service: string) => ({
      authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    });
    expect(identifyCall(scope('ec2'), 'Action=AssociateIamInstanceProfile&InstanceId=i-1')).toEqual({
      service: 'ec2',
      action: 'AssociateIamInstanceProfile',
      protocol: 'query',
    });
    expect(identifyCall(scope('sns'), 'Action=Publish&TopicArn=x')).toEqual({ service: 'sns', action: 'Publish', protocol: 'query' });
    expect(identifyCall({ ...scope('sqs'), 'x-amz-target': 'AmazonSQS.SendMessage' }, '{}')).toEqual({
      service: 'sqs',
      action: 'SendMessage',
      protocol: 'json',
    });
    expect(identifyCall({ 'x-amz-target': 'AmazonSQS.ReceiveMessage' }, '{}')).toEqual({ service: 'sqs', action: 'ReceiveMessage', protocol: 'json' });
    expect(identifyCall({}, 'not a form')).toEqual({ service: 'unknown', action: 'unknown', protocol: 'unknown' });
  });
});

describe('the fault proxy', () => {
  it('passes requests through untouched and counts them', async () => {
    const p = await proxy();
    const answer = await call(p.endpoint, 'DescribeInstances');
    expect(answer).toMatchObject({ status: 200, body: '<ok>Action=DescribeInstances&Version=2016-11-15</ok>', headers: { 'x-upstream': 'yes' } });
    expect(p.stats()).toMatchObject({ requests: 1, forwarded: 1, faults: { reset: 0, '503': 0 }, calls: { 'ec2:DescribeInstances': { seen: 1, faulted: 0 } } });
  });

  it('reset before the upstream: the client reads ECONNRESET and the call never happened', async () => {
    const p = await proxy([{ kind: 'reset' }]);
    expect(await errorCode(call(p.endpoint, 'AssociateIamInstanceProfile'))).toBe('ECONNRESET');
    expect(received).toEqual([]);
    expect(p.stats()).toMatchObject({ forwarded: 0, faults: { reset: 1 } });
  });

  it('reset after the upstream: the call took effect but its answer is lost', async () => {
    const p = await proxy([{ kind: 'reset', phase: 'response' }]);
    expect(await errorCode(call(p.endpoint, 'AssociateIamInstanceProfile'))).toBe('ECONNRESET');
    expect(received).toEqual(['AssociateIamInstanceProfile']);
  });

  it("503 and throttle answer as EC2 does, so the real SDK sees EC2's codes", async () => {
    const p = await proxy([
      { kind: '503', actions: ['DescribeInstances'] },
      { kind: 'throttle', actions: ['DescribeImages'] },
    ]);
    const ec2 = new EC2Client({ endpoint: p.endpoint, maxAttempts: 1 });
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: { name: string; $metadata?: { httpStatusCode?: number } }) => [error.name, error.$metadata?.httpStatusCode],
      );
    expect(await failure(ec2.send(new DescribeInstancesCommand({})))).toEqual(['Unavailable', 503]);
    const raw = await call(p.endpoint, 'DescribeImages');
    expect(raw.status).toBe(503);
    expect(raw.body).toMatch(
      /<Response><Errors><Error><Code>RequestLimitExceeded<\/Code><Message>Request limit exceeded\.<\/Message><\/Error><\/Errors><RequestID>[^<]+<\/RequestID><\/Response>$/,
    );
    expect(received).toEqual([]);
    ec2.destroy();
  });

  it('a JSON-protocol service gets a JSON error it can parse', async () => {
    const p = await proxy([{ kind: 'throttle', services: ['sqs'] }]);
    const sqs = new SQSClient({ endpoint: p.endpoint, maxAttempts: 1 });
    await expect(sqs.send(new ListQueuesCommand({}))).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    sqs.destroy();
  });

  it('faults EC2 only by default, and only the actions named', async () => {
    const p = await proxy([{ kind: '503', actions: ['AssociateIamInstanceProfile'] }]);
    expect((await call(p.endpoint, 'AssociateIamInstanceProfile')).status).toBe(503);
    expect((await call(p.endpoint, 'DescribeInstances')).status).toBe(200);
    expect((await call(p.endpoint, 'AssociateIamInstanceProfile', 'sns')).status).toBe(200);
    const everyEc2 = await proxy([{ kind: '503' }]);
    expect((await call(everyEc2.endpoint, 'Publish', 'sns')).status).toBe(200);
    expect((await call(everyEc2.endpoint, 'GetCallerIdentity', 'sts')).status).toBe(200);
    expect((await call(everyEc2.endpoint, 'DescribeInstances')).status).toBe(503);
  });

  it('a seed replays the same faults; the share follows the probability', async () => {
    const pattern = async (seed: number) => {
      const p = await proxy([{ kind: '503', probability: 0.3 }], seed);
      const statuses: number[] = [];
      for (let i = 0; i < 100; i++) statuses.push((await call(p.endpoint, 'DescribeInstances')).status);
      return statuses.map((s) => (s === 503 ? 'x' : '.')).join('');
    };
    const first = await pattern(7);
    expect(await pattern(7)).toBe(first);
    expect(await pattern(8)).not.toBe(first);
    const faulted = first.split('x').length - 1;
    expect(faulted).toBeGreaterThan(15);
    expect(faulted).toBeLessThan(45);
  });

  it('a limit caps the faults of a rule', async () => {
    const p = await proxy([{ kind: '503', limit: 2 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(p.endpoint, 'DescribeInstances')).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
  });

  it('a window bounds a fault in time, measured from when the rules were set', async () => {
    const p = await proxy([{ kind: '503', window: { startMs: 400, durationMs: 600 } }]);
    expect((await call(p.endpoint, 'DescribeInstances')).status).toBe(200);
    await sleep(700);
    expect((await call(p.endpoint, 'DescribeInstances')).status).toBe(503);
    await p.afterWindows();
    expect((await call(p.endpoint, 'DescribeInstances')).status).toBe(200);
  });

  it('a window can start at the first request for an action, however long the calls before it took', async () => {
    const p = await proxy([{ kind: '503', window: { from: 'AssociateIamInstanceProfile', startMs: 0, durationMs: 60_000 } }]);
    await sleep(100);
    expect((await call(p.endpoint, 'DescribeInstances')).status).toBe(200);
    expect((await call(p.endpoint, 'AssociateIamInstanceProfile')).status).toBe(503);
    expect((await call(p.endpoint, 'DescribeInstances')).status).toBe(503);
  });

  it('refuse closes the port for real during the outage, then listens again on the same port', async () => {
    const p = await proxy();
    p.setRules([{ kind: 'refuse', window: { startMs: 0, durationMs: 500 } }]);
    await sleep(50);
    expect(await errorCode(call(p.endpoint, 'DescribeInstances'))).toBe('ECONNREFUSED');
    await p.afterWindows();
    expect((await call(p.endpoint, 'DescribeInstances')).status).toBe(200);
    expect(p.stats().faults.refuse).toBe(1);
  });

  it('hang never answers, and stop() still closes everything at once', async () => {
    const p = await proxy([{ kind: 'hang' }]);
    const pending = errorCode(call(p.endpoint, 'DescribeInstances'));
    const early = await Promise.race([pending, sleep(300).then(() => 'still waiting')]);
    expect(early).toBe('still waiting');
    const started = Date.now();
    await p.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toMatch(/ECONNRESET|socket hang up/);
    expect(p.stats().faults.hang).toBe(1);
  });

  it('releaseHung cuts held requests while the proxy keeps serving', async () => {
    const p = await proxy([{ kind: 'hang', limit: 1 }]);
    const pending = errorCode(call(p.endpoint, 'DescribeInstances'));
    await sleep(100);
    p.releaseHung();
    expect(await pending).toBe('ECONNRESET');
    expect((await call(p.endpoint, 'DescribeInstances')).status).toBe(200);
  });

  it.each([
    [{ kind: 'refuse' }, 'refuse needs a window'],
    [{ kind: 'refuse', window: { startMs: 0, durationMs: 10 }, actions: ['DescribeInstances'] }, 'cannot pick services, actions'],
    [{ kind: 'reset', probability: 1.5 }, 'probability must be between 0 and 1'],
    [{ kind: '503', phase: 'response' }, 'phase applies to reset only'],
    [{ kind: 'hang', window: { startMs: 0, durationMs: 0 } }, 'durationMs > 0'],
    [{ kind: 'explode' }, 'kind must be one of'],
  ])('refuses a rule that cannot mean what it says: %j', (rule, problem) => {
    expect(() => validateRule(rule as FaultRule, 3)).toThrow(problem);
    expect(() => validateRule(rule as FaultRule, 3)).toThrow(/^fault rule 3/);
  });

  it('the PRNG is reproducible and spread over [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.filter((d) => d < 0.3).length).toBeGreaterThan(250);
    expect(draws.filter((d) => d < 0.3).length).toBeLessThan(350);
  });
});
