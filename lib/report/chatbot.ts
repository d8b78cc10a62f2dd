import { mostImportantFirst } from './build.js';
import type { Report } from './schema.js';
import { nextSteps, partLine, profileChange, summaryLine } from './summary.js';
import { accountDetail } from './text.js';

/**
 * AWS Chatbot (Amazon Q Developer in chat) custom notification. Chatbot drops SNS messages
 * that are not in this shape, so Slack sees nothing unless we send it. Sizes are kept well
 * inside what Slack renders.
 */
export interface ChatbotNotification {
  version: '1.0';
  source: 'custom';
  id: string;
  content: { textType: 'client-markdown'; title?: string; description: string; nextSteps?: string[]; keywords?: string[] };
  metadata: { threadId?: string; summary: string; eventType: string; relatedResources: string[]; additionalContext: Record<string, string> };
}

export const CHATBOT_LIMITS = { title: 250, description: 3500, nextSteps: 5, step: 300, keywords: 10, relatedResources: 20 } as const;

const ICON: Record<Report['outcome'], string> = { failed: ':x:', changed: ':white_check_mark:', drift: ':warning:', none: ':information_source:' };

/** The Slack summary of a whole report: counts, the most important instances that fit, what to do. */
export function renderChatbot(report: Report): ChatbotNotification {
  const title = `${ICON[report.outcome]} profile-guard: ${summaryLine(report)} (${report.account}${accountDetail(report)} ${report.region})${report.dryRun ? ' [dry run]' : ''}`;
  const ranked = mostImportantFirst(report.results);
  const lines = ranked
    .filter((r) => r.outcome !== 'unchanged' && r.outcome !== 'skipped')
    .map(
      (r) =>
        `• \`${r.instanceId}\`${r.name ? ` *${r.name}*` : ''} ${r.action} ${profileChange(r.from, r.to)} → *${r.outcome}*${r.error ? ` (${r.error.name})` : ''}`,
    );
  if (report.rejected) lines.unshift(`Event rejected: ${report.rejected}`);
  if (report.incomplete) lines.unshift(`Sweep stopped early: ${report.incomplete}`);
  const actions = [...new Set(report.results.map((r) => r.action))];
  return {
    version: '1.0',
    source: 'custom',
    id: report.reportId,
    content: {
      textType: 'client-markdown',
      title: title.slice(0, CHATBOT_LIMITS.title),
      description: fitLines(lines, CHATBOT_LIMITS.description),
      nextSteps: nextSteps(report)
        .slice(0, CHATBOT_LIMITS.nextSteps)
        .map((s) => s.slice(0, CHATBOT_LIMITS.step)),
      keywords: ['profile-guard', report.outcome, report.region, ...actions].slice(0, CHATBOT_LIMITS.keywords),
    },
    metadata: {
      ...threadOf(report),
      summary: summaryLine(report),
      eventType: `profile-guard.${report.outcome}`,
      relatedResources: ranked
        .filter((r) => r.outcome !== 'skipped')
        .map((r) => r.instanceId)
        .slice(0, CHATBOT_LIMITS.relatedResources),
      additionalContext: context(report),
    },
  };
}

/** Parts 2..n exist for the machine channel; Slack gets one line (filter them out with the `part` attribute). */
export function renderChatbotPart(part: Report): ChatbotNotification {
  return {
    version: '1.0',
    source: 'custom',
    id: `${part.reportId}/${part.part.index}`,
    content: { textType: 'client-markdown', description: partLine(part) },
    metadata: {
      ...threadOf(part),
      summary: partLine(part),
      eventType: `profile-guard.${part.outcome}`,
      relatedResources: [],
      additionalContext: context(part),
    },
  };
}

const threadOf = (report: Report) => (report.trigger.eventId ? { threadId: report.trigger.eventId } : {});

function context(report: Report): Record<string, string> {
  return {
    account: report.account,
    ...(report.accountName ? { accountName: report.accountName } : {}),
    ...(report.ou ? { ou: report.ou } : {}),
    region: report.region,
    trigger: report.trigger.eventName ?? report.trigger.type,
    dryRun: String(report.dryRun),
  };
}

function fitLines(lines: string[], limit: number): string {
  if (lines.length === 0) return 'Nothing needed changing.';
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > limit - 80) break;
    kept.push(line);
    size += line.length + 1;
  }
  const omitted = lines.length - kept.length;
  if (omitted > 0) kept.push(`…and ${omitted} more in the machine report`);
  return kept.join('\n');
}
