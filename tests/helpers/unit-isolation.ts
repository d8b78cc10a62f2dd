// The unit project runs its files in one module cache per worker (`isolate: false` in
// vitest.config.ts): the SDK, zod and Powertools are imported once per worker instead of once per
// file, which cuts the project from about 27 s to 10 s on 2 cores. Files still must not see each
// other's changes, so when a file ends it gets back what it started with:
// - the environment (including `vi.stubEnv`), globals and timers;
// - sinon's stubs: `mockClient(EC2Client)` stubs the class prototype's send, and a later file that
//   sends for real (the fault proxy's) would otherwise get the stub's undefined;
// - our own modules: a module-level cache (functions/runtime.ts keeps the runtime it built from
//   the environment) is rebuilt by the next file that imports it. node_modules stay loaded.
import { createRequire } from 'node:module';
import { afterAll, vi } from 'vitest';

// The CommonJS sinon, the one aws-sdk-client-mock require()s: `import` would load sinon's ESM
// build, whose default sandbox is another object, and restore nothing of the mocks.
const sinon = createRequire(import.meta.url)('sinon') as typeof import('sinon');

const started = { ...process.env };

afterAll(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  vi.restoreAllMocks();
  sinon.restore();
  for (const name of Object.keys(process.env)) if (!(name in started)) delete process.env[name];
  Object.assign(process.env, started);
  vi.resetModules();
});
