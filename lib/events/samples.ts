import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The real-shaped events in events/: fixtures for the tests, input for the demo and `serverless invoke local`. */
export const SAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'events');

type Json = Record<string, unknown>;

export function loadSample(name: string): Json {
  return JSON.parse(readFileSync(join(SAMPLES_DIR, `${name}.json`), 'utf8')) as Json;
}

const SAMPLE_ID = /i-0a1b2c3d4e5f6000\d/g;

/**
 * A copy of a sample aimed at other instances. RunInstances gets one item per id; every other
 * sample has its placeholder ids (i-0a1b2c3d4e5f6000N) swapped for the given ones in order.
 */
export function sampleFor(name: string, instanceIds: readonly string[], id?: string): Json {
  const event = loadSample(name);
  if (id) event.id = id;
  const detail = event.detail as Json;
  const items = ((detail.responseElements as Json | null)?.instancesSet as { items?: Json[] } | undefined)?.items;
  if (items && items[0]) {
    const template = items[0];
    (detail.responseElements as { instancesSet: { items: Json[] } }).instancesSet.items = instanceIds.map((instanceId) => ({ ...template, instanceId }));
    return event;
  }
  const seen: string[] = [];
  const text = JSON.stringify(event).replace(SAMPLE_ID, (placeholder) => {
    if (!seen.includes(placeholder)) seen.push(placeholder);
    return instanceIds[seen.indexOf(placeholder)] ?? placeholder;
  });
  return JSON.parse(text) as Json;
}
