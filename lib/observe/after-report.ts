import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { describeError } from '../errors.js';
import { isAccount } from '../events/fields.js';
import type { FindingContent } from '../findings/asff.js';
import { contentsOfReport } from '../findings/plan.js';
import { type CloseAbsent, publishFindings } from '../findings/publish.js';
import type { Report } from '../report/schema.js';
import type { Runtime } from '../service.js';
import { type ExpiredException, scanExpiredExceptions } from './expired-exceptions.js';

/** What happened after the report: the FindingsImported, FindingsFailed and ExceptionsExpired metrics. */
export interface Observed {
  findingsImported: number;
  findingsFailed: number;
  exceptionsExpired: number;
}

export interface AfterReportOptions {
  /** Present only when the `securityHub` parameter is on: without it, no Security Hub call is made. */
  hub?: SecurityHubClient | undefined;
  /** Seconds between sweeps: an exception that expired within the last period is news. */
  sweepPeriodSeconds: number;
  now?: () => Date;
}

/**
 * What runs once a report is out (lib/service.ts calls it): on a sweep, find the exceptions that
 * have just expired and report them (log, metric, finding); with Security Hub on, import the run's
 * findings. Never throws: the report is already out, and nothing here may make Lambda retry.
 */
export function afterReport(options: AfterReportOptions): (report: Report, runtime: Runtime) => Promise<Observed> {
  return async (report, runtime) => {
    const now = options.now?.() ?? new Date();
    const signal = runtime.deadlines?.report.signal;
    const observed: Observed = { findingsImported: 0, findingsFailed: 0, exceptionsExpired: 0 };
    const tagKey = runtime.mapping.optOutTag;
    let expired: ExpiredException[] | undefined;
    if (report.trigger.type === 'sweep') {
      try {
        expired = await scanExpiredExceptions(runtime.clients.ec2, tagKey, now, options.sweepPeriodSeconds * 1000, { signal });
      } catch (error) {
        runtime.log.error('could not list the instances with dated exceptions; expiries are reported by the next sweep', { error: describeError(error) });
      }
    }
    const newly = (expired ?? []).filter((e) => e.newlyExpired);
    observed.exceptionsExpired = newly.length;
    for (const e of newly) {
      runtime.log.warn('opt-out exception expired: the instance is managed again', {
        instanceId: e.instanceId,
        tag: `${tagKey}=${e.value}`,
        expiredAt: e.expiredAt.toISOString(),
      });
    }

    if (!options.hub) return observed;
    if (!isAccount(report.account)) {
      runtime.log.warn('no Security Hub findings: the account is not known', { account: report.account });
      return observed;
    }
    const closeAbsent: CloseAbsent[] = [];
    // Only a scan that covered the region may close expiry findings, and only a complete sweep saw every live instance.
    if (expired) closeAbsent.push({ control: 'opt-out-expiry', present: new Set(expired.map((e) => e.instanceId)), close: exceptionFixed });
    if (report.trigger.type === 'sweep' && !report.incomplete) {
      closeAbsent.push({ control: 'instance-profile', present: new Set(report.results.map((r) => r.instanceId)), close: instanceGone });
    }
    const contents = [...contentsOfReport(report), ...newly.map((e) => exceptionExpired(e, tagKey))];
    const scope = { account: report.account, region: report.region };
    const outcome = await publishFindings({ hub: options.hub, log: runtime.log, signal }, scope, { contents, closeAbsent }, now);
    return { ...observed, findingsImported: outcome.imported, findingsFailed: outcome.failed };
  };
}

function exceptionExpired(e: ExpiredException, tagKey: string): FindingContent {
  const day = e.value.slice('until:'.length);
  return {
    control: 'opt-out-expiry',
    instanceId: e.instanceId,
    status: 'FAILED',
    severity: 'LOW',
    title: `${e.instanceId}: its profile-guard exception expired on ${day}`,
    description: `The opt-out tag ${tagKey}=${e.value} expired at ${e.expiredAt.toISOString()}. profile-guard manages the instance again and applied the mapping in this sweep.`,
    recommendation: `Remove the ${tagKey} tag, or renew the exception with a later date (until:YYYY-MM-DD), or make it permanent (true).`,
    fields: { 'profile-guard/tag': `${tagKey}=${e.value}` },
  };
}

function exceptionFixed(instanceId: string): FindingContent {
  return {
    control: 'opt-out-expiry',
    instanceId,
    status: 'PASSED',
    severity: 'LOW',
    title: `${instanceId}: its exception tag is no longer expired`,
    description: 'The expired opt-out tag was removed or renewed, or the instance is gone.',
  };
}

function instanceGone(instanceId: string): FindingContent {
  return {
    control: 'instance-profile',
    instanceId,
    status: 'NOT_AVAILABLE',
    severity: 'MEDIUM',
    title: `${instanceId} no longer exists`,
    description: 'The sweep did not find the instance: it was terminated.',
  };
}
