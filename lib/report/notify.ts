import type { Report } from './schema.js';

/** changes: anything changed, failed or drifted (the default); failures: only failures; all: every invocation. */
export type NotifyLevel = 'changes' | 'failures' | 'all';

export function shouldNotify(report: Report, level: NotifyLevel): boolean {
  switch (level) {
    case 'all':
      return true;
    case 'failures':
      return report.outcome === 'failed';
    case 'changes':
      return report.outcome !== 'none';
  }
}
