import type { InstanceResult } from '../result.js';
import { clip } from './clip.js';

/**
 * Cuts items into consecutive groups, in order, each as large as its room allows: group k (from 1)
 * takes items while the sum of their costs stays within room(k). An item no fresh group could hold
 * still gets a group of its own (the caller shrinks such items first), so every item is placed
 * exactly once and the loop always ends.
 */
export function partition<T>(items: readonly T[], cost: (item: T) => number, room: (index: number) => number): T[][] {
  const groups: T[][] = [[]];
  let used = 0;
  for (const item of items) {
    const c = cost(item);
    const current = groups[groups.length - 1] as T[];
    if (used + c > room(groups.length) && (current.length > 0 || groups.length === 1)) {
      groups.push([item]);
      used = c;
    } else {
      current.push(item);
      used += c;
    }
  }
  return groups;
}

/** Bytes a string adds inside a JSON string literal, as UTF-8: escaping is per character, so this adds up. */
export function escapedBytes(s: string): number {
  return Buffer.byteLength(JSON.stringify(s)) - 2;
}

const CLIP_STEPS = [4096, 1024, 256, 64] as const;

/**
 * A result small enough for `room` bytes as `cost` measures it, with that cost (measured once). Real results are a few hundred
 * bytes; only a pathological one (an error message of megabytes) is clipped, its long text fields
 * cut and marked with "…", so it still reaches the machine channel instead of breaking the message.
 */
export function fitResult(result: InstanceResult, room: number, cost: (r: InstanceResult) => number): { result: InstanceResult; cost: number } {
  let fitted = { result, cost: cost(result) };
  if (fitted.cost <= room) return fitted;
  for (const limit of CLIP_STEPS) {
    const clipped = clipStrings(result, limit);
    fitted = { result: clipped, cost: cost(clipped) };
    if (fitted.cost <= room) return fitted;
  }
  return fitted;
}

function clipStrings(r: InstanceResult, limit: number): InstanceResult {
  const cut = (s: string) => clip(s, limit);
  const cutOptional = (s: string | undefined) => (s === undefined ? undefined : cut(s));
  return {
    ...r,
    instanceId: cut(r.instanceId),
    name: cutOptional(r.name),
    state: cutOptional(r.state),
    from: cutOptional(r.from),
    to: cutOptional(r.to),
    rule: cutOptional(r.rule),
    reason: cut(r.reason),
    ...(r.error ? { error: { ...r.error, name: cut(r.error.name), message: cut(r.error.message) } } : {}),
  };
}
