import { runSweep } from '../lib/service.js';
import { createHandler } from './runtime.js';

export const handler = createHandler(
  'sweep',
  (runtime, _event, where) => runSweep(runtime, where),
  (outcome) => ({
    status: outcome.status,
    reason: outcome.reason,
    delivery: outcome.delivery,
    counts: outcome.report?.counts,
  }),
);
