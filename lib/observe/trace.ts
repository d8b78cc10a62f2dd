import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { RunOutcome } from '../service.js';
import type { TriggerType } from './metrics.js';

/** The slice of Powertools' Tracer the handlers use. */
export type TraceSink = Pick<
  Tracer,
  'getSegment' | 'setSegment' | 'putAnnotation' | 'annotateColdStart' | 'addServiceNameAnnotation' | 'addErrorAsMetadata' | 'isTracingEnabled'
>;

/** What the trace of one invocation is searchable by in X-Ray (annotations are indexed; metadata is not). */
export interface TraceAnnotations {
  trigger: string;
  account: string;
  instance_count: number;
  outcome: string;
}

export function annotationsOf(trigger: TriggerType, outcome: RunOutcome | undefined, account: string): TraceAnnotations {
  const report = outcome?.report;
  return {
    // The event kind (run-instances, tags-changed, …) is what an operator searches by; a sweep is a sweep.
    trigger: report?.trigger.eventKind ?? trigger,
    account: report?.account ?? account,
    instance_count: report?.results.length ?? 0,
    // The report's outcome (failed, changed, drift, none), or why there was no report (ignored).
    outcome: report?.outcome ?? outcome?.status ?? 'failed',
  };
}

/**
 * Lambda's own segment cannot take annotations, so the handler's work runs in a `## handler`
 * subsegment (what Powertools' captureLambdaHandler does); closed and restored on every path.
 */
export function openHandlerSegment(tracer: TraceSink, name: string): { close(error?: unknown): void } {
  if (!tracer.isTracingEnabled()) return { close() {} };
  const parent = tracer.getSegment();
  const sub = parent?.addNewSubsegment(`## ${name}`);
  if (sub) tracer.setSegment(sub);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  return {
    close(error?: unknown) {
      if (error instanceof Error) tracer.addErrorAsMetadata(error);
      sub?.close();
      if (parent) tracer.setSegment(parent);
    },
  };
}

export function annotate(tracer: TraceSink, annotations: TraceAnnotations): void {
  for (const [key, value] of Object.entries(annotations)) tracer.putAnnotation(key, value);
}
