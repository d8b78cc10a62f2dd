import type { Deadline } from './deadline.js';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Backoff {
  attempts: number;
  baseDelayMs: number;
  sleep: Sleep;
}

/**
 * Calls fn until it succeeds, the error is not one `shouldRetry` accepts, or attempts run out.
 * A wait that would end past the deadline is not started: the last error (one the caller
 * deemed worth retrying) is thrown at once, so a backoff never eats the time kept for the report.
 */
export async function withBackoff<T>(fn: () => Promise<T>, shouldRetry: (error: unknown) => boolean, backoff: Backoff, deadline?: Deadline): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= backoff.attempts || !shouldRetry(error)) throw error;
      const delay = backoff.baseDelayMs * 2 ** (attempt - 1);
      if (deadline && deadline.msLeft() <= delay) throw error;
      await backoff.sleep(delay);
    }
  }
}
