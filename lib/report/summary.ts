import type { Report } from './schema.js';

/** "3 fixed, 1 failed, 2 ok": the counts that matter, in the order a reader cares about. */
export function summaryLine(report: Report): string {
  if (report.rejected) return 'event rejected';
  const c = report.counts;
  const parts: string[] = [];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.changed) parts.push(`${c.changed} fixed`);
  if (c.planned) parts.push(`${c.planned} would be fixed`);
  if (c.drift) parts.push(`${c.drift} drift`);
  if (c.deferred) parts.push(`${c.deferred} deferred`);
  if (c.waiting) parts.push(`${c.waiting} waiting for running`);
  if (c.unchanged) parts.push(`${c.unchanged} ok`);
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  return parts.length > 0 ? parts.join(', ') : 'no instances';
}

/** SNS subjects must be ASCII, one line, under 100 characters. */
export function subjectLine(report: Report): string {
  const dry = report.dryRun ? ' [dry run]' : '';
  const subject = `[profile-guard] ${summaryLine(report)} - ${report.account} ${report.region}${dry}`;
  const ascii = subject.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= 99 ? ascii : `${ascii.slice(0, 96)}...`;
}

export function profileChange(from: string | undefined, to: string | undefined): string {
  if (from === undefined && to === undefined) return '';
  return `${from ?? '(none)'} -> ${to ?? '(none)'}`;
}

/** What a human should do about the failures in the report, deduplicated by error kind. */
export function nextSteps(report: Report): string[] {
  const steps = new Set<string>();
  if (report.rejected) steps.add('Check the EventBridge rule that sent this event: profile-guard only understands the events in its catalogue.');
  if (report.incomplete) steps.add('The sweep did not reach every instance: check the error above; the next scheduled sweep (or `npx profile-guard plan`) covers the rest.');
  for (const r of report.results) {
    if (r.outcome === 'deferred') steps.add('The blast-radius cap (MAX_CHANGES) stopped further changes: review the plan with `npx profile-guard plan`, then raise the cap or run `npx profile-guard apply`.');
    if (r.outcome === 'drift') steps.add('Drift is reported, not fixed (onWrongProfile: report). Fix it by hand or with `npx profile-guard apply --instance <id>`.');
    if (!r.error) continue;
    switch (r.error.name) {
      case 'PermissionDeniedError':
        steps.add('Grant the missing permission: add the profile to the mapping and redeploy, so the generated policy allows iam:PassRole on its role and the ec2 association call for it.');
        break;
      case 'ProfileNotVisibleError':
        steps.add('Check the instance profile exists in this account (aws iam get-instance-profile --instance-profile-name <name>); a new one can take a minute to reach EC2.');
        break;
      default:
        if (r.error.retryable) steps.add('Retryable failures are retried by Lambda, then kept in the dead-letter queue: replay them with `npx profile-guard redrive`.');
        else steps.add(`Investigate ${r.error.name} on ${r.instanceId}: ${r.error.message}`);
    }
  }
  return [...steps];
}
