import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One `serverless` run at a time in this checkout. serverless-esbuild builds in `.esbuild/` and
 * copies into `.serverless/` inside the service directory whatever `--package` says, then deletes
 * `.esbuild/`: two runs side by side (test files run in parallel) delete each other's work. A
 * directory is the lock because creating one is atomic; a lock older than five minutes is a run
 * that died, and is taken over.
 */
const LOCK = join(tmpdir(), `profile-guard-serverless-${Buffer.from(process.cwd()).toString('hex').slice(-24)}.lock`);
const STALE_MS = 5 * 60_000;
const POLL_MS = 200;

function tryLock(): boolean {
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    try {
      if (Date.now() - statSync(LOCK).mtimeMs > STALE_MS) rmdirSync(LOCK);
    } catch {
      // gone meanwhile: the next try takes it
    }
    return false;
  }
}

function unlock(): void {
  try {
    rmdirSync(LOCK);
  } catch {
    // already released
  }
}

/** Runs a synchronous `serverless` call under the lock (waiting without spinning the CPU). */
export function withServerlessLockSync<T>(run: () => T): T {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!tryLock()) Atomics.wait(pause, 0, 0, POLL_MS);
  try {
    return run();
  } finally {
    unlock();
  }
}

/** The same for an asynchronous run (the deploy test). */
export async function withServerlessLock<T>(run: () => Promise<T>): Promise<T> {
  while (!tryLock()) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  try {
    return await run();
  } finally {
    unlock();
  }
}
