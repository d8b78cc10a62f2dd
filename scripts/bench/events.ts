/**
 * The parser against hostile input: crashes per 10,000 fuzzed events (the goal is 0), and how long
 * a maximal (256 KiB) tag event takes to parse. The arbitraries are exported for the property tests
 * in tests/unit/events-fuzz.test.ts, so the bench and the tests fuzz the same way.
 */
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { MAX_IDS_PER_EVENT, parseEvent } from '../../lib/events/parse.js';
import { loadSample, SAMPLES_DIR } from '../../support/samples.js';

type Json = unknown;
type Path = (string | number)[];

/** Every sample in events/ (the report sample too: the parser must survive whatever it is handed). */
export const SAMPLE_NAMES = readdirSync(SAMPLES_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

/** Keys where a mutation is most likely to find a bug: the envelope and the catalogue's paths. */
const INTERESTING = new Set([
  ...['id', 'account', 'region', 'time', 'source', 'detail-type', 'detail', 'eventName', 'eventSource', 'errorCode'],
  ...['userIdentity', 'arn', 'sessionContext', 'sessionIssuer', 'responseElements', 'requestParameters', 'instancesSet', 'items', 'item'],
  ...['instanceId', 'resourceId', 'resourcesSet', 'instance-id', 'CreateFleetResponse', 'fleetInstanceSet', 'instanceIds', 'CreateFleetRequest', 'Type'],
]);

/**
 * Paths to mutate, breadth first and iterative (an earlier mutation may have left a 5,000-deep or
 * 130,000-long value): the first 20 items of an array, 12 levels down, at most 2,000 paths.
 */
function pathsOf(root: Json): Path[] {
  const out: Path[] = [];
  const queue: [Json, Path][] = [[root, []]];
  while (queue.length > 0 && out.length < 2_000) {
    const [node, prefix] = queue.shift() as [Json, Path];
    if (typeof node !== 'object' || node === null || prefix.length >= 12) continue;
    const entries: [string | number, Json][] = Array.isArray(node) ? node.slice(0, 20).map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, value] of entries) {
      const path = [...prefix, key];
      out.push(path);
      queue.push([value, path]);
    }
  }
  return out;
}

function parentOf(root: Json, path: Path): Record<string | number, Json> | undefined {
  let node = root as Record<string | number, Json> | undefined;
  for (const key of path.slice(0, -1)) node = node?.[key] as Record<string | number, Json> | undefined;
  return typeof node === 'object' && node !== null ? node : undefined;
}

const hexId = (i: number, digits: number) => `i-${i.toString(16).padStart(digits, '0')}`;

const nested = (depth: number): Json => {
  let node: Json = { items: [{ instanceId: 'i-0a1b2c3d4e5f60001' }] };
  for (let i = 0; i < depth; i++) node = { items: [node] };
  return node;
};

/** Values an attacker (or a bug upstream) might put anywhere in an event. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  // Up to what fits in EventBridge's 256 KiB: 130,000 items is past V8's limit on spread arguments.
  { weight: 2, arbitrary: fc.oneof(fc.integer({ min: 1_000, max: 10_000 }), fc.integer({ min: 120_000, max: 130_000 })).map((n) => new Array(n).fill(0)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1_000, max: 8_000 }).map((n) => Array.from({ length: n }, (_, i) => ({ instanceId: hexId(i, 17), resourceId: hexId(i, 8) }))),
  },
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 300_000 }).map((n) => `i-${'0'.repeat(n)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 5_000 }).map(nested) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Json>(
      ...[null, '', [], {}, 0, -1, true],
      ...['i-0a1b2c3d4e5f60001', 'us-east-1\n', '١٢٣٤٥٦٧٨٩٠١٢', 'arn:aws:iam::123456789012:user/\u202eevil'],
    ),
  },
);

type Mutation = { pick: number; interesting: boolean; op: 'drop' } | { pick: number; interesting: boolean; op: 'set'; value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.record({ pick: fc.nat(), interesting: fc.boolean() }).chain(({ pick, interesting }) =>
  fc.oneof(
    fc.constant<Mutation>({ pick, interesting, op: 'drop' }),
    hostileValue.map((value): Mutation => ({ pick, interesting, op: 'set', value })),
  ),
);

function mutate(event: Json, mutations: readonly Mutation[]): Json {
  for (const m of mutations) {
    const all = pathsOf(event);
    const interesting = all.filter((p) => INTERESTING.has(String(p[p.length - 1])));
    // A flood of items does most harm where a list already is: let it replace a list when it can.
    const lists = m.op === 'set' && Array.isArray(m.value) ? interesting.filter((p) => Array.isArray(parentOf(event, p)?.[p[p.length - 1] as string])) : [];
    const wanted = m.interesting ? (lists.length > 0 ? lists : interesting) : all;
    const candidates = wanted.length > 0 ? wanted : all;
    if (candidates.length === 0) return m.op === 'set' ? m.value : event;
    const path = candidates[m.pick % candidates.length] as Path;
    const parent = parentOf(event, path);
    const key = path[path.length - 1] as string | number;
    if (!parent) continue;
    if (m.op === 'drop') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else {
      parent[key] = m.value;
    }
  }
  return event;
}

const SAMPLES = new Map(SAMPLE_NAMES.map((name) => [name, loadSample(name)]));

/** A sample from events/ with one to four fields dropped or replaced by hostile values. */
export const mutatedSample: fc.Arbitrary<Json> = fc
  .tuple(fc.constantFrom(...SAMPLE_NAMES), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([name, mutations]) => mutate(structuredClone(SAMPLES.get(name)), mutations));

/** Anything: arbitrary JSON half the time, a damaged real event the other half. */
export const fuzzedEvent: fc.Arbitrary<Json> = fc.oneof(fc.jsonValue(), mutatedSample);

const KIB_256 = 256 * 1024;
const resource = (i: number) => ({ resourceId: `${i % 2 ? 'vol' : 'i'}-${i.toString(16).padStart(17, '0')}` });

/**
 * A CreateTags event as big as EventBridge allows (256 KiB): `within` names 4,000 resources (half of
 * them instances) and fills the rest with tags; `over` fills it with resources (about 7,000);
 * `bare` fills it with 130,000 bare items (what used to throw RangeError).
 */
export function maximalCreateTags(kind: 'within' | 'over' | 'bare'): Record<string, any> {
  const event = loadSample('cloudtrail-create-tags') as Record<string, any>;
  const params = event.detail.requestParameters;
  const room = () => KIB_256 - 64 - Buffer.byteLength(JSON.stringify(event));
  if (kind === 'bare') {
    params.resourcesSet.items = new Array(Math.floor(room() / 2)).fill(0);
  } else if (kind === 'over') {
    const perItem = Buffer.byteLength(JSON.stringify([resource(0), resource(1)])) / 2;
    params.resourcesSet.items = Array.from({ length: Math.floor(room() / perItem) }, (_, i) => resource(i));
  } else {
    params.resourcesSet.items = Array.from({ length: 4_000 }, (_, i) => resource(i));
    const tag = { key: 'padding', value: 'x'.repeat(200) };
    const perTag = Buffer.byteLength(JSON.stringify(tag)) + 1;
    params.tagSet.items = Array.from({ length: Math.floor(room() / perTag) }, () => tag);
  }
  return event;
}

function timed(event: Json, runs: number): { median: number; outcome: string } {
  const times: number[] = [];
  let outcome = '';
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const parsed = parseEvent(event);
    times.push(performance.now() - start);
    outcome = parsed.status === 'accepted' ? `accepted, ${parsed.instanceIds.length} instances` : `${parsed.status} (over ${MAX_IDS_PER_EVENT} values)`;
  }
  return { median: [...times].sort((a, b) => a - b)[Math.floor(runs / 2)] as number, outcome };
}

export async function benchEvents(): Promise<void> {
  const fuzzRuns = 10_000;
  const events = fc.sample(fuzzedEvent, { numRuns: fuzzRuns, seed: 20261128 });
  let crashes = 0;
  let accepted = 0;
  for (const event of events) {
    try {
      if (parseEvent(event).status === 'accepted') accepted++;
    } catch {
      crashes++;
    }
  }
  // Timed on a second pass, once the parser is compiled; the first pass above counts crashes.
  const start = performance.now();
  for (const event of events) {
    try {
      parseEvent(event);
    } catch {}
  }
  const fuzzMs = performance.now() - start;

  console.log('\n### Event parser under hostile input\n');
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| parser crashes per ${fuzzRuns.toLocaleString('en')} fuzzed events (goal 0) | ${crashes} |`);
  console.log(`| fuzzed events accepted (valid after mutation) | ${accepted} |`);
  console.log(`| parse time, ${fuzzRuns.toLocaleString('en')} fuzzed events | ${fuzzMs.toFixed(0)} ms |`);
  const labels = { within: '4,000 resources (half instances) and tags', over: 'only resources', bare: 'bare items' };
  for (const kind of ['within', 'over', 'bare'] as const) {
    const event = maximalCreateTags(kind);
    const size = Buffer.byteLength(JSON.stringify(event));
    const items = event.detail.requestParameters.resourcesSet.items.length as number;
    const { median, outcome } = timed(event, 25);
    const what = `${(size / 1024).toFixed(0)} KiB CreateTags, ${labels[kind]} (${items.toLocaleString('en')} items)`;
    console.log(`| parse time, ${what} | ${median.toFixed(2)} ms median; ${outcome} |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEvents();
