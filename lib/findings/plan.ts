import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { Report } from '../report/schema.js';
import type { InstanceResult } from '../result.js';
import { type Control, type FindingContent, type FindingScope, findingId, toAsff } from './asff.js';

/**
 * What a finished run says about each instance, per control. Pure.
 *   wrong  (FAILED, always imported): drift left in place (onWrongProfile: report), a change that
 *          failed on a known instance, a dry run's planned change
 *   right  (PASSED / NOT_AVAILABLE, imported only to close a finding that is open): changed or
 *          already right; gone, opted out or unmanaged
 * Deferred and waiting instances are neither: a retry or the sweep settles them within minutes.
 */
export function contentsOfReport(report: Report): FindingContent[] {
  return report.results.flatMap((r): FindingContent[] => {
    const wrong = wrongContent(r, report);
    if (wrong) return [wrong];
    if (r.outcome === 'changed' || r.outcome === 'unchanged') {
      const title = `${r.instanceId} wears the instance profile its mapping rule requires`;
      return [{ ...common(r, report), status: 'PASSED', severity: 'MEDIUM', title, description: r.reason }];
    }
    if (r.outcome === 'skipped') {
      const title = `${r.instanceId} is no longer managed by profile-guard`;
      return [{ ...common(r, report), status: 'NOT_AVAILABLE', severity: 'MEDIUM', title, description: r.reason }];
    }
    return [];
  });
}

function common(r: InstanceResult, report: Report) {
  return {
    control: 'instance-profile' as const,
    instanceId: r.instanceId,
    fields: {
      'profile-guard/rule': r.rule,
      'profile-guard/action': r.action,
      'profile-guard/outcome': r.outcome,
      'profile-guard/reportId': report.reportId,
      'profile-guard/name': r.name,
    },
  };
}

function wrongContent(r: InstanceResult, report: Report): FindingContent | undefined {
  const wears = r.from ?? 'no profile';
  const wants = r.to ?? 'no profile';
  if (r.outcome === 'drift') {
    return {
      ...common(r, report),
      status: 'FAILED',
      severity: 'MEDIUM',
      title: `${r.instanceId} wears ${wears}; its mapping rule requires ${wants}`,
      description: `${r.reason}. profile-guard reports this instead of changing it (onWrongProfile: report).`,
      recommendation: `If ${wants} is right, run: npx profile-guard apply --instance ${r.instanceId}. Otherwise change the instance's tags or the mapping.`,
    };
  }
  if (r.outcome === 'planned') {
    return {
      ...common(r, report),
      status: 'FAILED',
      severity: 'MEDIUM',
      title: `${r.instanceId} would be changed from ${wears} to ${wants} (dry run)`,
      description: `${r.reason}. The stage runs with dryRun=true, so nothing was changed.`,
      recommendation: `Deploy with dryRun=false, or run: npx profile-guard apply --instance ${r.instanceId}`,
    };
  }
  // A failure on an instance that could not be read says nothing about the instance: no finding.
  if (r.outcome === 'failed' && r.action !== 'skip') {
    // A profile that should have been removed (quarantine) is still there: credentials the instance must not have.
    const severity = r.action === 'disassociate' ? 'HIGH' : 'MEDIUM';
    return {
      ...common(r, report),
      status: 'FAILED',
      severity,
      title: `${r.instanceId}: profile-guard could not set the instance profile (${r.action})`,
      description: `${r.reason}. ${r.error ? `${r.error.name}: ${r.error.message}` : ''}`.trim(),
      recommendation: r.error?.retryable
        ? 'A retry or the next sweep should fix it; if the finding stays open, see the report and the function log.'
        : 'See the error: this needs a person (usually a missing permission: add the profile to the mapping and redeploy).',
    };
  }
  return undefined;
}

/** An open (ACTIVE) finding of ours: what the next import must keep (CreatedAt) and outdo (UpdatedAt). */
export interface OpenFinding {
  id: string;
  createdAt: string;
  updatedAt: string;
  instanceId: string;
  control: Control;
}

/**
 * The findings to import: every FAILED one (CreatedAt kept from the open finding, so Security Hub
 * shows when it was first found), and a PASSED/NOT_AVAILABLE one only where a finding is open
 * (closing what is not open would create an archived finding for every instance that was ever
 * right). UpdatedAt is always later than the open finding's, or Security Hub ignores the update.
 */
export function planImports(scope: FindingScope, contents: readonly FindingContent[], open: ReadonlyMap<string, OpenFinding>, now: Date): AwsSecurityFinding[] {
  const nowIso = now.toISOString();
  return contents.flatMap((content) => {
    const existing = open.get(findingId(scope, content.instanceId, content.control));
    if (content.status !== 'FAILED' && !existing) return [];
    const updatedAt = existing && Date.parse(existing.updatedAt) >= now.getTime() ? new Date(Date.parse(existing.updatedAt) + 1).toISOString() : nowIso;
    return [toAsff(scope, content, { createdAt: existing?.createdAt ?? nowIso, updatedAt })];
  });
}
