import { defineConfig } from 'vitest/config';

const env = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_DEV: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_TRACE_ENABLED: 'false',
};

/**
 * Two projects. `unit`: no network, no packaging (`npm run test:unit`, the quick loop).
 * `integration`: moto over HTTP (one server per file, so files run in parallel safely) and the
 * packaged template, packaged once per run in the global set-up. `npm test` runs both.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          // One module cache per worker, not per file; tests/helpers/unit-isolation.ts says why and what keeps files apart.
          isolate: false,
          setupFiles: ['tests/helpers/matchers.ts', 'tests/helpers/unit-isolation.ts'],
          testTimeout: 30_000,
          env,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/template/**/*.test.ts'],
          setupFiles: ['tests/helpers/matchers.ts'],
          globalSetup: ['tests/helpers/global-setup.ts'],
          // Packaging takes turns (support/serverless-lock.ts), so a test may wait for another's.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          env,
        },
      },
    ],
  },
});
