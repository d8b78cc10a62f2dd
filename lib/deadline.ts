import { setMaxListeners } from 'node:events';

/**
 * When an invocation's work must stop. Lambda kills a function at its timeout, so every AWS call
 * carries `signal` (an in-flight call is cut off, not just the next one prevented) and no new
 * work starts once `expired()`: the time left after that is kept for the report.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Milliseconds left, never negative; Infinity when there is no deadline. */
  msLeft(): number;
  expired(): boolean;
}

/** A deadline `ms` from now (a negative or zero `ms` is already expired). */
export function deadlineIn(ms: number, now: () => number = Date.now): Deadline {
  const at = now() + ms;
  const controller = new AbortController();
  // Every in-flight call listens to this one signal: more than Node's default of 10 is normal.
  setMaxListeners(0, controller.signal);
  const expire = () => controller.abort(new DeadlineReachedError());
  if (ms <= 0) expire();
  else setTimeout(expire, ms).unref?.();
  return {
    signal: controller.signal,
    msLeft: () => Math.max(0, at - now()),
    expired: () => controller.signal.aborted || now() >= at,
  };
}

/** No deadline: the CLI, where the operator is the one who stops it. */
export const NO_DEADLINE: Deadline = { signal: new AbortController().signal, msLeft: () => Number.POSITIVE_INFINITY, expired: () => false };

/** The abort reason: recognisable in the error an aborted SDK call throws (its `cause`). */
export class DeadlineReachedError extends Error {
  constructor() {
    super('the invocation reached its deadline');
    this.name = 'DeadlineReachedError';
  }
}
