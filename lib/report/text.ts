import type { Report } from './schema.js';
import { nextSteps, profileChange, summaryLine } from './summary.js';

const COLUMNS = ['INSTANCE', 'NAME', 'ACTION', 'PROFILE', 'RULE', 'OUTCOME', 'ERROR'] as const;

/** Code points, not UTF-16 units, so a Name tag in any script lines up as well as a monospace font allows. */
const width = (s: string) => [...s].length;
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));
const clip = (s: string, n: number) => (width(s) <= n ? s : `${[...s].slice(0, n - 1).join('')}…`);

export function resultRows(report: Report): string[][] {
  return report.results.map((r) => [
    r.instanceId,
    clip(r.name ?? '', 32),
    r.imdsv2 ? `${r.action}+imdsv2` : r.action,
    profileChange(r.from, r.to),
    r.rule ?? '',
    r.outcome,
    r.error ? clip(`${r.error.name}: ${r.error.message}`, 160) : '',
  ]);
}

export function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((row) => width(row[i] ?? ''))));
  const line = (cells: readonly string[]) => cells.map((c, i) => pad(c, widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The email and default body: a summary line, the table, the context, and what to do next. */
export function renderText(report: Report): string {
  const lines: string[] = [];
  lines.push(`profile-guard${report.dryRun ? ' (DRY RUN - nothing was changed)' : ''}: ${summaryLine(report)}`);
  lines.push('');
  if (report.rejected) lines.push(`The event was rejected: ${report.rejected}`, '');
  if (report.results.length > 0) lines.push(table(COLUMNS, resultRows(report)), '');
  if (report.omittedResults) lines.push(`... and ${report.omittedResults} more instances not listed (message size limit); the full list is in the logs.`, '');
  const t = report.trigger;
  lines.push(`Account:  ${report.account}`);
  lines.push(`Region:   ${report.region}`);
  lines.push(`Trigger:  ${t.type}${t.eventName ? ` ${t.eventName}` : ''}${t.detailType ? ` (${t.detailType})` : ''}`);
  if (t.eventId) lines.push(`Event id: ${t.eventId}`);
  if (t.actor) lines.push(`By:       ${t.actor}`);
  lines.push(`Report:   ${report.reportId} at ${report.generatedAt}`);
  const steps = nextSteps(report);
  if (steps.length > 0) {
    lines.push('', 'What to do next:');
    for (const step of steps) lines.push(`- ${step}`);
  }
  return lines.join('\n');
}
