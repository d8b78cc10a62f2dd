export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Backoff {
  attempts: number;
  baseDelayMs: number;
  sleep: Sleep;
}

/** Calls fn until it succeeds, the error is not one `shouldRetry` accepts, or attempts run out. */
export async function withBackoff<T>(fn: () => Promise<T>, shouldRetry: (error: unknown) => boolean, backoff: Backoff): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= backoff.attempts || !shouldRetry(error)) throw error;
      await backoff.sleep(backoff.baseDelayMs * 2 ** (attempt - 1));
    }
  }
}
