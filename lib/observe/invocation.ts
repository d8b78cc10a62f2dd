import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { RunOutcome } from '../service.js';
import { countInvocation, emitInvocation, type MetricsSink, type TriggerType } from './metrics.js';
import { annotate, annotationsOf, openHandlerSegment, type TraceSink } from './trace.js';

export interface Observability {
  metrics: MetricsSink & Pick<Metrics, 'captureColdStartMetric' | 'hasStoredMetrics' | 'publishStoredMetrics'>;
  tracer: TraceSink;
}

export interface InvocationInfo {
  trigger: TriggerType;
  /** Lambda's function name: the cold-start metric's function_name dimension. */
  functionName?: string | undefined;
  /** The account from the function's ARN, for the trace when there is no report. */
  account: string;
}

/** Hands the outcome to the metrics and the trace as soon as the run has one (before the handler decides to throw). */
export type RecordOutcome = (outcome: RunOutcome | undefined) => void;

/**
 * Runs one handler invocation with its metrics and trace. The body calls `record` once it has an
 * outcome; the metrics are flushed on every path: a normal return, the retryable failure the
 * handler throws after its report (so Lambda retries), and a crash before any report, which
 * counts as one failure.
 */
export async function observeInvocation<T>(obs: Observability, info: InvocationInfo, body: (record: RecordOutcome) => Promise<T>): Promise<T> {
  obs.metrics.captureColdStartMetric(info.functionName);
  const segment = openHandlerSegment(obs.tracer, info.trigger === 'sweep' ? 'sweep' : 'remediate');
  let recorded = false;
  const write = (outcome: RunOutcome | undefined, crashed: boolean) => {
    recorded = true;
    const counts = countInvocation(info.trigger, outcome);
    emitInvocation(obs.metrics, crashed ? { ...counts, failed: counts.failed + 1 } : counts, outcome);
    annotate(obs.tracer, annotationsOf(info.trigger, outcome, info.account));
  };
  let failure: unknown;
  try {
    return await body((outcome) => {
      if (!recorded) write(outcome, false);
    });
  } catch (error) {
    failure = error;
    if (!recorded) write(undefined, true);
    throw error;
  } finally {
    if (obs.metrics.hasStoredMetrics()) obs.metrics.publishStoredMetrics();
    segment.close(failure);
  }
}
