import { ConfigInvalidError } from '../errors.js';

/**
 * The sweep's schedule, as serverless.yml gives it (`sweepRate`): `rate(6 hours)` or a `cron(...)`.
 * Two things need its period: the heartbeat alarm (no sweep for twice the period) and the
 * "report an expired exception once" window (lib/exceptions.ts).
 */
const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };

/** A cron schedule has no single period; a day is the longest gap the usual daily-or-faster crons leave. */
export const CRON_PERIOD_SECONDS = 86_400;

/** Seconds between sweeps. EventBridge's grammar: `rate(1 minute)`, `rate(5 minutes)`, `rate(1 hour)`, … */
export function sweepPeriodSeconds(expression: string): number {
  const text = expression.trim();
  if (/^cron\(.+\)$/.test(text)) return CRON_PERIOD_SECONDS;
  const m = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(text);
  const value = Number(m?.[1]);
  if (!m || !Number.isSafeInteger(value) || value < 1) {
    throw new ConfigInvalidError(`sweepRate ${JSON.stringify(expression)}: expected rate(N minutes|hours|days) or cron(...)`);
  }
  return value * (UNIT_SECONDS[m[2] as string] as number);
}

/**
 * How the heartbeat alarm sees "no sweep invocation for twice the period": the sum of the sweep's
 * Invocations over that window is below 1. CloudWatch takes periods of at most a day, and at most
 * seven days over all evaluation periods; a longer window is capped at seven days.
 */
export function heartbeatWindow(periodSeconds: number): { period: number; evaluationPeriods: number } {
  const window = Math.min(2 * periodSeconds, 7 * 86_400);
  if (window <= 86_400) return { period: window, evaluationPeriods: 1 };
  const evaluationPeriods = Math.ceil(window / 86_400);
  return { period: 86_400, evaluationPeriods };
}
