/**
 * A fault-injecting HTTP proxy on loopback, in front of moto (or any AWS-shaped endpoint).
 * Point the SDK at it with AWS_ENDPOINT_URL and it forwards every request untouched, except
 * the ones a rule picks, which fail the way the network or AWS really fails:
 *
 *   reset     the client's socket is torn down mid-request (ECONNRESET / "socket hang up"):
 *             phase `request` before the call reaches AWS, `response` after it took effect
 *             (the answer is lost), `either` picks one per fault
 *   refuse    an outage: the proxy stops listening, so connections are refused for real
 *             (and open ones are cut), then it listens again on the same port
 *   503       EC2's ServiceUnavailable: HTTP 503 with `<Code>Unavailable</Code>`
 *   throttle  EC2's throttling: HTTP 503 with `<Code>RequestLimitExceeded</Code>`, as EC2 answers it
 *   hang      the request is accepted and never answered (stop() or releaseHung() cuts it)
 *
 * A rule picks requests by AWS service (the SigV4 credential scope; default EC2 only) and action
 * (query protocol: the form body's `Action=`; JSON protocol: the X-Amz-Target header), with a
 * probability drawn from a seeded PRNG (the same seed and request order give the same faults),
 * an optional time window and a cap on how many faults it injects.
 */
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export const FAULT_KINDS = ['reset', 'refuse', '503', 'throttle', 'hang'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Milliseconds after the rules were set (setRules / startFaultProxy), or after the first request for `from`. */
export interface FaultWindow {
  startMs: number;
  durationMs: number;
  /**
   * An action name: the window's clock starts at the first request for it after the rules were
   * set (e.g. `DisassociateIamInstanceProfile`: an outage while the fleet is being fixed, however
   * long the reads before it took). The request that starts the clock is itself inside a window
   * that starts at 0.
   */
  from?: string;
}

export interface FaultRule {
  kind: FaultKind;
  /** SigV4 signing names (`ec2`, `sns`, `sqs`, `sts`...). Default: EC2 only. Not for `refuse`. */
  services?: readonly string[];
  /** Action names (`AssociateIamInstanceProfile`). Default: every action of the services. Not for `refuse`. */
  actions?: readonly string[];
  /** Chance that a matching request is faulted (0..1). Default 1. Not for `refuse`. */
  probability?: number;
  /** Active only inside this window. Required for `refuse`: it is the outage. */
  window?: FaultWindow;
  /** At most this many faults from this rule. */
  limit?: number;
  /** `reset` only: where the socket is cut. Default `request`. */
  phase?: 'request' | 'response' | 'either';
}

export interface AwsCall {
  service: string;
  action: string;
  protocol: 'query' | 'json' | 'unknown';
}

export interface FaultStats {
  /** Requests read by the proxy (a refused connection never becomes one). */
  requests: number;
  /** Requests passed on to the upstream (a `reset` in phase `response` is forwarded, then cut). */
  forwarded: number;
  /** Faults injected per kind; for `refuse`, outages begun. */
  faults: Record<FaultKind, number>;
  /** Per `service:Action`: requests seen and faults injected. */
  calls: Record<string, { seen: number; faulted: number }>;
}

export interface FaultProxy {
  endpoint: string;
  port: number;
  /** A snapshot of the counters. */
  stats(): FaultStats;
  resetStats(): void;
  /** Replaces the rules; their windows and limits start afresh now. An outage in progress ends. */
  setRules(rules: readonly FaultRule[]): void;
  clearRules(): void;
  /** Resolves once every windowed rule's window has passed (at once when none has a window). */
  afterWindows(): Promise<void>;
  /** Cuts every request being held by `hang` (its client sees the connection reset). */
  releaseHung(): void;
  /** Closes the port and every connection, hung ones included. */
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Where requests go, e.g. moto's endpoint. */
  upstream: string;
  /** PRNG seed for the probabilities. Default 1. */
  seed?: number;
  rules?: readonly FaultRule[];
}

/** Mulberry32: a tiny, fast, seeded PRNG; good enough to pick faults, and reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;

/** Which AWS service and action a request is, from its SigV4 scope and its body or target header. */
export function identifyCall(headers: IncomingHttpHeaders, body: string): AwsCall {
  const authorization = typeof headers.authorization === 'string' ? headers.authorization : '';
  const target = typeof headers['x-amz-target'] === 'string' ? headers['x-amz-target'] : undefined;
  let service = SCOPE.exec(authorization)?.[1]?.toLowerCase();
  if (target) {
    // AmazonSQS.SendMessage, DynamoDB_20120810.GetItem: the action follows the last dot.
    const dot = target.lastIndexOf('.');
    service ??=
      target
        .slice(0, Math.max(dot, 0))
        .replace(/^Amazon/, '')
        .toLowerCase() || 'unknown';
    return { service, action: target.slice(dot + 1), protocol: 'json' };
  }
  const action = new URLSearchParams(body).get('Action');
  if (action) return { service: service ?? 'unknown', action, protocol: 'query' };
  return { service: service ?? 'unknown', action: 'unknown', protocol: 'unknown' };
}

/** The error body and status the service itself would send for a 503 or a throttle. */
export function faultResponse(kind: '503' | 'throttle', call: AwsCall, requestId: string): { status: number; contentType: string; body: string } {
  const throttle = kind === 'throttle';
  if (call.protocol === 'json') {
    const body = throttle
      ? { __type: 'ThrottlingException', message: 'Rate exceeded' }
      : { __type: 'ServiceUnavailable', message: 'Service is unavailable; try again' };
    return { status: throttle ? 400 : 503, contentType: 'application/x-amz-json-1.0', body: JSON.stringify(body) };
  }
  if (call.service === 'ec2') {
    // EC2 answers throttling with 503 too (not 429): the SDK tells them apart by the code.
    const [code, message] = throttle
      ? ['RequestLimitExceeded', 'Request limit exceeded.']
      : ['Unavailable', "The server is overloaded and can't handle the request."];
    return {
      status: 503,
      contentType: 'text/xml;charset=UTF-8',
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    };
  }
  // The other query services (SNS, STS, IAM) use the ErrorResponse shape.
  const [type, code, message] = throttle ? ['Sender', 'Throttling', 'Rate exceeded'] : ['Receiver', 'ServiceUnavailable', 'Service is unavailable; try again'];
  return {
    status: throttle ? 400 : 503,
    contentType: 'text/xml',
    body: `<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

/** Rejects a rule that could not mean what it says, naming the rule and the problem. */
export function validateRule(rule: FaultRule, index = 0): void {
  const fail = (problem: string) => {
    throw new RangeError(`fault rule ${index} (${String(rule.kind)}): ${problem}`);
  };
  if (!FAULT_KINDS.includes(rule.kind)) fail(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) fail('probability must be between 0 and 1');
  if (rule.limit !== undefined && !(Number.isInteger(rule.limit) && rule.limit >= 0)) fail('limit must be a whole number ≥ 0');
  if (rule.window && !(rule.window.startMs >= 0 && rule.window.durationMs > 0)) fail('window needs startMs ≥ 0 and durationMs > 0');
  if (rule.phase !== undefined && rule.kind !== 'reset') fail('phase applies to reset only');
  if (rule.kind === 'refuse') {
    if (!rule.window) fail('refuse needs a window: it is the outage');
    // A closed port refuses everyone: it cannot pick services, actions or a share of requests.
    if (rule.services || rule.actions || rule.probability !== undefined)
      fail('refuse closes the port for every service; it cannot pick services, actions or a probability');
  }
}

interface ActiveRule {
  rule: FaultRule;
  injected: number;
  /** When its window's clock started (undefined: waiting for the `from` action). */
  clockAt?: number | undefined;
}

const emptyStats = (): FaultStats => ({ requests: 0, forwarded: 0, faults: { reset: 0, refuse: 0, '503': 0, throttle: 0, hang: 0 }, calls: {} });

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const random = seededRandom(options.seed ?? 1);
  const agent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const hung = new Set<Socket>();
  let stats = emptyStats();
  let rules: ActiveRule[] = [];
  let timers: NodeJS.Timeout[] = [];
  let darkWindows = 0;
  let stopped = false;
  let requestIds = 0;

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => void handle(request, response, Buffer.concat(chunks)));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      hung.delete(socket);
    });
  });

  const cut = (socket: Socket) => {
    // A TCP RST, as a peer or middlebox that drops the connection sends: the client reads ECONNRESET.
    if (typeof socket.resetAndDestroy === 'function' && !socket.destroyed) socket.resetAndDestroy();
    else socket.destroy();
  };

  const inWindow = (active: ActiveRule, now: number): boolean => {
    const { window } = active.rule;
    if (!window) return true;
    if (active.clockAt === undefined) return false;
    const elapsed = now - active.clockAt;
    return elapsed >= window.startMs && elapsed < window.startMs + window.durationMs;
  };

  /** Starts the clocks waiting for this action; an outage (refuse) is scheduled when its clock starts. */
  const startClocks = (action: string) => {
    for (const active of rules) {
      if (active.clockAt !== undefined || active.rule.window?.from !== action) continue;
      active.clockAt = Date.now();
      if (active.rule.kind === 'refuse') scheduleOutage(active.rule.window);
    }
  };

  const pick = (call: AwsCall): ActiveRule | undefined => {
    const now = Date.now();
    for (const active of rules) {
      const { rule } = active;
      if (rule.kind === 'refuse') continue;
      if (!(rule.services ?? ['ec2']).some((s) => s.toLowerCase() === call.service)) continue;
      if (rule.actions && !rule.actions.includes(call.action)) continue;
      if (!inWindow(active, now)) continue;
      if (rule.limit !== undefined && active.injected >= rule.limit) continue;
      // One draw per candidate request, whatever the probability, so a seed replays the same way.
      if (random() >= (rule.probability ?? 1)) continue;
      return active;
    }
    return undefined;
  };

  const forward = (request: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      stats.forwarded++;
      const outgoing = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers, agent },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(parts) }));
          answer.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const reply = (response: ServerResponse, status: number, headers: IncomingHttpHeaders, body: Buffer | string) => {
    if (response.socket?.destroyed) return; // the client gave up, or an outage cut it
    const { 'transfer-encoding': _te, connection: _c, 'content-length': _cl, ...rest } = headers;
    response.writeHead(status, { ...rest, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    stats.requests++;
    const call = identifyCall(request.headers, body.toString('utf8'));
    const key = `${call.service}:${call.action}`;
    stats.calls[key] ??= { seen: 0, faulted: 0 };
    const counter = stats.calls[key];
    counter.seen++;
    startClocks(call.action);
    const active = pick(call);
    const socket = request.socket;
    try {
      if (!active) {
        const answer = await forward(request, body);
        reply(response, answer.status, answer.headers, answer.body);
        return;
      }
      active.injected++;
      counter.faulted++;
      const { kind } = active.rule;
      stats.faults[kind]++;
      switch (kind) {
        case 'reset': {
          const phase = active.rule.phase ?? 'request';
          const afterUpstream = phase === 'response' || (phase === 'either' && random() < 0.5);
          if (afterUpstream) await forward(request, body); // it happened; the client will never know
          cut(socket);
          return;
        }
        case 'hang':
          hung.add(socket);
          return;
        case '503':
        case 'throttle': {
          const fault = faultResponse(kind, call, `fault-${++requestIds}`);
          reply(response, fault.status, { 'content-type': fault.contentType }, fault.body);
          return;
        }
        default:
          return;
      }
    } catch (error) {
      // The upstream itself failed (moto stopped?): say so plainly rather than hang the client.
      reply(response, 502, { 'content-type': 'text/plain' }, `fault-proxy: upstream ${options.upstream} failed: ${(error as Error).message}`);
    }
  };

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });

  await listen(0);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const goDark = () => {
    if (stopped || darkWindows++ > 0) return;
    stats.faults.refuse++;
    server.close();
    for (const socket of sockets) cut(socket);
  };
  const comeBack = async () => {
    if (stopped || darkWindows === 0 || --darkWindows > 0) return;
    // Same port, so the client's endpoint stays valid; if something grabbed it meanwhile, try again shortly.
    for (let tries = 1; !stopped && darkWindows === 0 && !server.listening; tries++) {
      try {
        await listen(port);
      } catch (error) {
        if (tries >= 100) {
          process.stderr.write(`fault-proxy: could not listen again on port ${port}: ${(error as Error).message}\n`);
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };

  const scheduleOutage = ({ startMs, durationMs }: FaultWindow) => {
    timers.push(setTimeout(goDark, startMs));
    timers.push(setTimeout(() => void comeBack(), startMs + durationMs));
  };

  const setRules = (next: readonly FaultRule[]) => {
    next.forEach(validateRule);
    for (const timer of timers) clearTimeout(timer);
    timers = [];
    if (darkWindows > 0) {
      darkWindows = 1;
      void comeBack();
    }
    const now = Date.now();
    rules = next.map((rule) => ({ rule, injected: 0, clockAt: rule.window?.from ? undefined : now }));
    for (const { rule } of rules) if (rule.kind === 'refuse' && rule.window && !rule.window.from) scheduleOutage(rule.window);
  };

  setRules(options.rules ?? []);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = emptyStats();
    },
    setRules,
    clearRules: () => setRules([]),
    afterWindows: async () => {
      // A window whose `from` action never came never opens: it counts as over.
      const ends = rules.map(({ rule, clockAt }) => (rule.window && clockAt !== undefined ? clockAt + rule.window.startMs + rule.window.durationMs : 0));
      const wait = Math.max(0, ...ends) - Date.now();
      // A little past the end, so the port is listening again before the caller's next request.
      if (wait > -50) await new Promise((r) => setTimeout(r, Math.max(0, wait) + 50));
    },
    releaseHung: () => {
      for (const socket of hung) cut(socket);
      hung.clear();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      const closed = server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await closed;
    },
  };
}
