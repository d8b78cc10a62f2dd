import type { Outcome } from '../result.js';
import type { Report } from './schema.js';

/**
 * How each count reads, in the order a reader cares about. `long` is for the summary line a person
 * reads once (email, Slack); `short` fits the 100-character SNS subject.
 */
const WORDS: readonly (readonly [Outcome, string, string])[] = [
  ['failed', 'failed', 'failed'],
  ['changed', 'fixed', 'fixed'],
  ['planned', 'would be fixed', 'would be fixed'],
  ['drift', 'drift', 'drift'],
  ['deferred', 'deferred (over the change cap; a retry or the sweep picks them up)', 'deferred'],
  ['waiting', 'waiting for running', 'waiting'],
  ['unchanged', 'ok', 'ok'],
  ['skipped', 'skipped', 'skipped'],
];

/** "3 fixed, 1 failed, 2 ok": the counts of the whole report (every part carries them). */
export function summaryLine(report: Report, style: 'long' | 'short' = 'long'): string {
  if (report.rejected) return 'event rejected';
  const parts = WORDS.filter(([outcome]) => report.counts[outcome] > 0).map(
    ([outcome, long, short]) => `${report.counts[outcome]} ${style === 'long' ? long : short}`,
  );
  return parts.length > 0 ? parts.join(', ') : 'no instances';
}

/** The one line parts 2..n carry for people: they exist for the machine channel. */
export function partLine(report: Report): string {
  return `part ${report.part.index} of ${report.part.count} of report ${report.reportId}: machine details only`;
}

/** SNS subjects must be ASCII, one line, under 100 characters. */
export function subjectLine(report: Report): string {
  const dry = report.dryRun ? ' [dry run]' : '';
  const what = report.part.index > 1 ? `part ${report.part.index} of ${report.part.count}: machine details only` : summaryLine(report, 'short');
  const subject = `[profile-guard] ${what} - ${report.account} ${report.region}${dry}`;
  const ascii = subject.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= 99 ? ascii : `${ascii.slice(0, 96)}...`;
}

export function profileChange(from: string | undefined, to: string | undefined): string {
  if (from === undefined && to === undefined) return '';
  return `${from ?? '(none)'} -> ${to ?? '(none)'}`;
}

/**
 * What a human should do about the report, most urgent first (failures, then drift nobody else
 * fixes, then what fixes itself), deduplicated so a thousand results give a handful of steps.
 */
export function nextSteps(report: Report): string[] {
  const steps = new Set<string>();
  const c = report.counts;
  if (report.rejected) steps.add('Check the EventBridge rule that sent this event: profile-guard only understands the events in its catalogue.');
  if (report.incomplete)
    steps.add('The sweep did not reach every instance: check the error above; the next scheduled sweep (or `npx profile-guard plan`) covers the rest.');
  const investigate = new Map<string, { example: string; message: string; count: number }>();
  for (const r of report.results) {
    if (!r.error) continue;
    switch (r.error.name) {
      case 'PermissionDeniedError':
        steps.add(
          'Grant the missing permission: add the profile to the mapping and redeploy, so the generated policy allows iam:PassRole on its role and the ec2 association call for it.',
        );
        break;
      case 'ProfileNotVisibleError':
        steps.add(
          'Check the instance profile exists in this account (aws iam get-instance-profile --instance-profile-name <name>); a new one can take a minute to reach EC2.',
        );
        break;
      default: {
        if (r.error.retryable) {
          steps.add('Retryable failures are retried by Lambda, then kept in the dead-letter queue: replay them with `npx profile-guard redrive`.');
          break;
        }
        const seen = investigate.get(r.error.name);
        if (seen) seen.count++;
        else investigate.set(r.error.name, { example: r.instanceId, message: r.error.message, count: 1 });
      }
    }
  }
  for (const [name, { example, message, count }] of investigate) {
    steps.add(`Investigate ${name} on ${example}${count > 1 ? ` (and ${count - 1} more)` : ''}: ${message}`);
  }
  if (c.drift > 0) steps.add('Drift is reported, not fixed (onWrongProfile: report). Fix it by hand or with `npx profile-guard apply --instance <id>`.');
  if (c.deferred > 0) {
    steps.add(
      'Deferred instances were over the blast-radius cap (MAX_CHANGES) and were not touched: Lambda retries the event and the next sweep picks them up. To finish sooner, review `npx profile-guard plan`, then run `npx profile-guard apply` or raise the cap.',
    );
  }
  if (c.waiting > 0) steps.add('Waiting instances were still pending: their `running` state-change event fixes them; nothing to do unless one never starts.');
  return [...steps];
}
