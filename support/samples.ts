import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The real-shaped events in events/: fixtures for the tests, input for the demo and `serverless invoke local`. */
export const SAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'events');

type Json = Record<string, unknown>;

export function loadSample(name: string): Json {
  return JSON.parse(readFileSync(join(SAMPLES_DIR, `${name}.json`), 'utf8')) as Json;
}

const SAMPLE_ID = /i-0a1b2c3d4e5f6000\d/g;

const first = (value: unknown): Json | undefined => (Array.isArray(value) ? value[0] : value) as Json | undefined;

/**
 * A copy of a sample aimed at other instances. A launch (RunInstances, instant CreateFleet) gets all
 * the ids, in the shape CloudTrail writes them; every other sample has its placeholder ids
 * (i-0a1b2c3d4e5f6000N) swapped for the given ones in order.
 */
export function sampleFor(name: string, instanceIds: readonly string[], id?: string): Json {
  const event = loadSample(name);
  if (id) event.id = id;
  const response = (event.detail as Json).responseElements as Json | null;
  const runItems = (response?.instancesSet as { items?: Json[] } | undefined)?.items;
  if (runItems?.[0]) {
    const template = runItems[0];
    (response as { instancesSet: { items: Json[] } }).instancesSet.items = instanceIds.map((instanceId) => ({ ...template, instanceId }));
    return event;
  }
  const fleetSet = (response?.CreateFleetResponse as Json | undefined)?.fleetInstanceSet as Json | undefined;
  const fleetItem = first(fleetSet?.item);
  if (fleetSet && fleetItem) {
    // CloudTrail writes EC2's XML lists of one as the bare value.
    fleetSet.item = { ...fleetItem, instanceIds: { item: instanceIds.length === 1 ? instanceIds[0] : [...instanceIds] } };
    return event;
  }
  const seen: string[] = [];
  const text = JSON.stringify(event).replace(SAMPLE_ID, (placeholder) => {
    if (!seen.includes(placeholder)) seen.push(placeholder);
    return instanceIds[seen.indexOf(placeholder)] ?? placeholder;
  });
  return JSON.parse(text) as Json;
}
