import { mostImportantFirst } from './build.js';
import { clip } from './clip.js';
import type { Report } from './schema.js';
import { nextSteps, profileChange, summaryLine } from './summary.js';

const COLUMNS = ['INSTANCE', 'NAME', 'ACTION', 'PROFILE', 'RULE', 'OUTCOME', 'DETAIL'] as const;

// East Asian wide characters take two columns in a monospace font.
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

/** Display columns of a string: counted by code point, so Name tags in any script line up. */
const width = (s: string) => [...s].reduce((n, ch) => n + (WIDE.test(ch) ? 2 : 1), 0);
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

type Result = Report['results'][number];

/** Why, where a reader will ask: the error of a failure, the reason for anything not simply done. */
function detail(r: Result): string {
  if (r.error) return `${r.error.name}: ${r.error.message}`;
  return r.outcome === 'changed' || r.outcome === 'unchanged' || r.outcome === 'planned' ? '' : r.reason;
}

export function resultRows(results: readonly Result[]): string[][] {
  return results.map((r) => [
    r.instanceId,
    clip(r.name ?? '', 32),
    r.imdsv2 ? `${r.action}+imdsv2` : r.action,
    profileChange(r.from, r.to),
    r.rule ?? '',
    r.outcome,
    clip(detail(r), 160),
  ]);
}

export function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((row) => width(row[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** How much of a big report the email lists: a summary to read, not an inventory (the machine report has every instance). */
export interface TextLimits {
  maxRows: number;
  maxBytes: number;
}

/**
 * The email and default body: a summary line, the table (most important first), the context, and
 * what to do next. With limits, the table keeps the most important rows that fit and says how many
 * more the machine report holds; without (the CLI), it lists every instance.
 */
export function renderText(report: Report, limits?: TextLimits): string {
  // Everything but the table is the same whatever the row count: built once, not once per probe below.
  const rows = resultRows(mostImportantFirst(report.results));
  const { head, foot } = frame(report);
  const compose = (shown: number) => {
    const notShown = rows.length - shown;
    const middle = [
      ...(shown > 0 ? [table(COLUMNS, rows.slice(0, shown)), ''] : []),
      ...(notShown > 0 ? [`... and ${notShown} more in the machine report (SQS and Lambda subscribers receive every instance).`, ''] : []),
    ];
    return [...head, ...middle, ...foot].join('\n');
  };
  if (!limits) return compose(rows.length);
  const fits = (shown: number) => Buffer.byteLength(compose(shown)) <= limits.maxBytes;
  // The largest row count that fits: the text grows with each row, so a binary search finds it.
  let low = 0;
  let high = Math.min(limits.maxRows, rows.length);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return clipBytes(compose(low), limits.maxBytes);
}

/** The lines above the table (summary, rejection, early stop) and below it (context, next steps). */
function frame(report: Report): { head: string[]; foot: string[] } {
  const head = [`profile-guard${report.dryRun ? ' (DRY RUN - nothing was changed)' : ''}: ${summaryLine(report)}`, ''];
  if (report.rejected) head.push(`The event was rejected: ${report.rejected}`, '');
  if (report.incomplete) head.push(`The sweep stopped early: ${report.incomplete}`, '');
  const t = report.trigger;
  const foot = [
    `Account:  ${report.account}${accountDetail(report)}`,
    `Region:   ${report.region}`,
    `Trigger:  ${t.type}${t.eventName ? ` ${t.eventName}` : ''}${t.detailType ? ` (${t.detailType})` : ''}`,
  ];
  if (t.eventId) foot.push(`Event id: ${t.eventId}`);
  if (t.actor) foot.push(`By:       ${t.actor}`);
  foot.push(`Report:   ${report.reportId} at ${report.generatedAt}`);
  const steps = nextSteps(report);
  if (steps.length > 0) foot.push('', 'What to do next:', ...steps.map((step) => `- ${step}`));
  return { head, foot };
}

/** Last resort for a pathological report (a huge rejection reason): never exceed the budget. */
function clipBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = Buffer.byteLength('…');
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > maxBytes) break;
    out += ch;
  }
  return `${out}…`;
}

/** " (name, ou-…)" in organization mode, where known; nothing otherwise. */
export function accountDetail(report: Pick<Report, 'accountName' | 'ou'>): string {
  const known = [report.accountName, report.ou].filter(Boolean);
  return known.length > 0 ? ` (${known.join(', ')})` : '';
}
