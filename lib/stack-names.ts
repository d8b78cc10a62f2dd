/**
 * Every function, rule and queue of a stage, named as serverless.yml names them
 * (`profile-guard-<stage>-…`): the alarms and dashboard point at these, and redrive recognises
 * this stack's dead letters by them. The packaged-template tests hold serverless.yml to them.
 */
export function namesOf(stage: string) {
  const prefix = `profile-guard-${stage}`;
  return {
    prefix,
    functions: { remediate: `${prefix}-remediate`, sweep: `${prefix}-sweep` },
    /** The four rules that feed remediate (they have the DLQ as dead-letter queue), then the sweep's schedule. */
    eventRules: ['run-instances', 'state-running', 'tags', 'profile-drift'].map((r) => `${prefix}-${r}`),
    sweepRule: `${prefix}-sweep`,
    queue: `${prefix}-dlq`,
    reportTopic: `${prefix}-reports`,
    alarmTopic: `${prefix}-alarms`,
  };
}
