#!/usr/bin/env node
// The operator CLI. Runs the TypeScript in lib/ directly (tsx), so it is the same code the Lambda bundles.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main();
