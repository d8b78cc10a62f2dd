import type { ActionKind } from './decide.js';
import { parseMapping } from './mapping/load.js';
import type { Mapping } from './mapping/schema.js';
import type { InstanceFacts } from './model.js';

/**
 * The decision table as data: each row carries an example that the
 * unit tests run through decide(), and the README's "How it decides" section is rendered
 * from it (scripts/docs.ts), so the documentation cannot drift from the code.
 */
export interface DecisionRow {
  instance: string;
  desired: string;
  current: string;
  action: ActionKind;
  meaning: string;
  example: { facts: InstanceFacts; mapping: Mapping };
}

const EXAMPLE_MAPPING = parseMapping(`
version: 1
rules:
  - { name: quarantine, match: { tags: { "security:quarantine": "true" } }, profile: none }
  - { name: web, match: { tags: { app: "web-*" } }, profile: WebProfile }
`);
const REPORT_MAPPING: Mapping = { ...EXAMPLE_MAPPING, onWrongProfile: 'report' };

const web = { app: 'web-1' };
const quarantined = { 'security:quarantine': 'true' };
const wearing = (profileName: string, state: 'associating' | 'associated' = 'associated') => ({
  associationId: 'iip-assoc-0123456789abcdef0',
  profileArn: `arn:aws:iam::123456789012:instance-profile/${profileName}`,
  profileName,
  state,
});
const facts = (state: InstanceFacts['state'], tags: Record<string, string>, association?: ReturnType<typeof wearing>): InstanceFacts => ({
  instanceId: 'i-0123456789abcdef0',
  state,
  tags: new Map(Object.entries(tags)),
  association,
});

export const DECISION_TABLE: readonly DecisionRow[] = [
  {
    instance: 'terminated, shutting-down or gone',
    desired: 'any',
    current: 'any',
    action: 'skip',
    meaning: 'nothing to do',
    example: { facts: facts('terminated', web), mapping: EXAMPLE_MAPPING },
  },
  {
    instance: 'opt-out tag = "true", or "until:DATE" not yet past',
    desired: 'any',
    current: 'any',
    action: 'skip',
    meaning: 'never touched (until the date passes)',
    example: { facts: facts('running', { ...web, 'profile-guard:ignore': 'true' }), mapping: EXAMPLE_MAPPING },
  },
  {
    instance: 'no rule matches, no default',
    desired: '-',
    current: 'any',
    action: 'skip',
    meaning: 'unmanaged',
    example: { facts: facts('running', { app: 'db' }), mapping: EXAMPLE_MAPPING },
  },
  {
    instance: 'association associating / disassociating',
    desired: 'any',
    current: 'any',
    action: 'wait',
    meaning: 'poll briefly, then fail as retryable',
    example: { facts: facts('running', web, wearing('WebProfile', 'associating')), mapping: EXAMPLE_MAPPING },
  },
  {
    instance: 'pending or stopping',
    desired: 'any',
    current: 'any',
    action: 'wait',
    meaning: 'poll until running/stopped (bounded), then act',
    example: { facts: facts('pending', web), mapping: EXAMPLE_MAPPING },
  },
  {
    instance: 'running or stopped',
    desired: 'none',
    current: 'none',
    action: 'noop',
    meaning: 'already right',
    example: { facts: facts('running', quarantined), mapping: EXAMPLE_MAPPING },
  },
  {
    instance: 'running or stopped',
    desired: 'none',
    current: 'Q',
    action: 'disassociate',
    meaning: 'strip credentials',
    example: { facts: facts('stopped', quarantined, wearing('WebProfile')), mapping: EXAMPLE_MAPPING },
  },
  {
    instance: 'running or stopped',
    desired: 'P',
    current: 'none',
    action: 'associate',
    meaning: 'attach P',
    example: { facts: facts('running', web), mapping: EXAMPLE_MAPPING },
  },
  {
    instance: 'running or stopped',
    desired: 'P',
    current: 'P',
    action: 'noop',
    meaning: 'already right (names compared case-insensitively, path ignored)',
    example: { facts: facts('running', web, wearing('WebProfile')), mapping: EXAMPLE_MAPPING },
  },
  {
    instance: 'running',
    desired: 'P',
    current: 'Q',
    action: 'replace',
    meaning: 'atomic swap: never without credentials',
    example: { facts: facts('running', web, wearing('AdminProfile')), mapping: EXAMPLE_MAPPING },
  },
  {
    instance: 'stopped',
    desired: 'P',
    current: 'Q',
    action: 'detach-attach',
    meaning: 'disassociate, then associate (replace fails on stopped)',
    example: { facts: facts('stopped', web, wearing('AdminProfile')), mapping: EXAMPLE_MAPPING },
  },
  {
    instance: 'running or stopped, onWrongProfile: report',
    desired: 'P',
    current: 'Q',
    action: 'report-drift',
    meaning: 'change nothing, notify drift',
    example: { facts: facts('running', web, wearing('AdminProfile')), mapping: REPORT_MAPPING },
  },
];

export function renderDecisionTable(rows: readonly DecisionRow[] = DECISION_TABLE): string {
  const lines = ['| instance | desired | current | action | meaning |', '|---|---|---|---|---|'];
  for (const row of rows) lines.push(`| ${row.instance} | ${row.desired} | ${row.current} | \`${row.action}\` | ${row.meaning} |`);
  return lines.join('\n');
}
