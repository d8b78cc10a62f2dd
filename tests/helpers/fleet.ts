import type { LaunchSpec } from '../../support/world.js';

/** One instance per row of the decision table the shipped mapping can reach. */
export const DECISION_CASES = {
  missing: { tags: { app: 'web-a', Name: 'missing' } },
  wrong: { tags: { app: 'web-b', Name: 'wrong' }, profile: 'AdminProfile' },
  right: { tags: { app: 'web-c', Name: 'right' }, profile: 'WebProfile' },
  optedOut: { tags: { app: 'web-d', Name: 'legacy', 'profile-guard:ignore': 'true' } },
  quarantined: { tags: { app: 'web-e', 'security:quarantine': 'true' }, profile: 'WebProfile' },
  stopped: { tags: { app: 'web-f', Name: 'stopped' }, profile: 'AdminProfile', stopped: true },
  unmatched: { tags: { Name: 'データベース' } },
} satisfies Record<string, LaunchSpec>;

export function pick<K extends keyof typeof DECISION_CASES>(...names: K[]): Record<K, LaunchSpec> {
  return Object.fromEntries(names.map((name) => [name, DECISION_CASES[name] as LaunchSpec])) as Record<K, LaunchSpec>;
}
