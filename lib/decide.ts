import { exempts, optOutOf } from './exceptions.js';
import { desiredFor } from './mapping/match.js';
import { type MappingTarget, selectRules } from './mapping/overrides.js';
import { type Mapping, mappedProfiles, NO_PROFILE, ruleSets } from './mapping/schema.js';
import type { InstanceFacts } from './model.js';
import type { ActionKind, AssertSame, Same } from './vocabulary.js';

/** What to do about an instance's profile. A plain value: only lib/act touches AWS. */
export type ProfileAction =
  | { kind: 'skip'; why: 'gone' | 'opted-out' | 'unmanaged' }
  | { kind: 'noop' }
  | { kind: 'wait'; why: 'instance-transition' | 'association-transition' }
  | { kind: 'associate'; to: string }
  | { kind: 'replace'; from: string; to: string; associationId: string }
  | { kind: 'detach-attach'; from: string; to: string; associationId: string }
  | { kind: 'disassociate'; from: string; associationId: string }
  | { kind: 'report-drift'; from: string; to: string };

export type { ActionKind } from './vocabulary.js';

// Compile-time check, both directions: a kind added to ProfileAction but not to the vocabulary
// (lib/vocabulary.ts, which the report schema validates against), or the reverse, fails tsc.
type _KindsMatchVocabulary = AssertSame<Same<ProfileAction['kind'], ActionKind>>;

export interface Decision {
  instanceId: string;
  action: ProfileAction;
  /** Also set IMDSv2 to required (the matched rule asks for it and the instance does not have it). */
  enforceImdsv2: boolean;
  /** With enforceImdsv2: also turn the metadata endpoint on (the rule asks, and its owner had turned it off). */
  enableImdsEndpoint?: boolean | undefined;
  rule?: string | undefined;
  desiredProfile?: string | undefined;
  currentProfile?: string | undefined;
  reason: string;
}

const WRITE_KINDS: ReadonlySet<ActionKind> = new Set(['associate', 'replace', 'detach-attach', 'disassociate']);

/** True when carrying the decision out calls a mutating EC2 API (and so counts against the blast-radius cap). */
export function writes(decision: Decision): boolean {
  return WRITE_KINDS.has(decision.action.kind) || decision.enforceImdsv2;
}

/**
 * The decision table (README, "How it decides"), row by row. Pure: the same facts, mapping, time
 * and target (the account, and its OU where known, that the instance lives in) always give the
 * same decision. The target only matters when the mapping has overrides.
 */
export function decide(facts: InstanceFacts, mapping: Mapping, now: Date = new Date(), target?: MappingTarget): Decision {
  const base = { instanceId: facts.instanceId, enforceImdsv2: false };
  const current = facts.association?.profileName;

  if (facts.state === 'not-found' || facts.state === 'terminated' || facts.state === 'shutting-down') {
    return { ...base, action: { kind: 'skip', why: 'gone' }, currentProfile: current, reason: `instance is ${facts.state}` };
  }
  const optOut = optOutOf(mapping.optOutTag, facts.tags.get(mapping.optOutTag), now);
  if (exempts(optOut)) {
    return { ...base, action: { kind: 'skip', why: 'opted-out' }, currentProfile: current, reason: optOut.reason };
  }
  const selection = selectRules(mapping, target);
  if ('unknown' in selection) {
    return { ...base, action: { kind: 'skip', why: 'unmanaged' }, currentProfile: current, reason: selection.unknown };
  }
  const desired = desiredFor(facts, selection.rules, selection.from === 'the mapping' ? '' : `${selection.from}/`);
  if (!desired) {
    return { ...base, action: { kind: 'skip', why: 'unmanaged' }, currentProfile: current, reason: 'no rule matches and the mapping has no default' };
  }
  const context = { ...base, rule: desired.rule, desiredProfile: desired.profile, currentProfile: current };
  const association = facts.association;

  if (association && (association.state === 'associating' || association.state === 'disassociating')) {
    return { ...context, action: { kind: 'wait', why: 'association-transition' }, reason: `association ${association.associationId} is ${association.state}` };
  }
  if (facts.state === 'pending' || facts.state === 'stopping') {
    return {
      ...context,
      action: { kind: 'wait', why: 'instance-transition' },
      reason: `instance is ${facts.state}; EC2 accepts association changes only when running or stopped`,
    };
  }

  const wantsNone = desired.profile === NO_PROFILE;
  const endpointOff = facts.httpEndpoint === 'disabled';
  const enableImdsEndpoint = desired.imdsv2Required && desired.imdsEndpointEnabled && endpointOff;
  const enforceImdsv2 = desired.imdsv2Required && (facts.httpTokens !== 'required' || enableImdsEndpoint);
  const imdsNote = !enforceImdsv2
    ? ''
    : enableImdsEndpoint
      ? '; IMDSv2 will be required and the metadata endpoint, which was off, turned on'
      : endpointOff
        ? '; IMDSv2 will be required (the metadata endpoint is off and stays off)'
        : '; IMDSv2 will be required';
  // What every acting decision carries; report-drift changes nothing, so it carries no IMDS change either.
  const acting = { ...context, enforceImdsv2, ...(enableImdsEndpoint ? { enableImdsEndpoint } : {}) };

  if (!association) {
    if (wantsNone)
      return {
        ...acting,
        action: { kind: 'noop' },
        reason: `rule ${desired.rule} wants no profile and there is none${imdsNote}`,
      };
    return {
      ...acting,
      action: { kind: 'associate', to: desired.profile },
      reason: `no profile; rule ${desired.rule} wants ${desired.profile}${imdsNote}`,
    };
  }

  const from = association.profileName;
  const { associationId } = association;
  if (wantsNone) {
    return {
      ...acting,
      action: { kind: 'disassociate', from, associationId },
      reason: `rule ${desired.rule} wants no profile; removing ${from}${imdsNote}`,
    };
  }
  if (sameProfile(from, desired.profile)) {
    return {
      ...acting,
      action: { kind: 'noop' },
      reason: `already wears ${from}${imdsNote}`,
    };
  }
  if (mapping.onWrongProfile === 'report') {
    return {
      ...context,
      action: { kind: 'report-drift', from, to: desired.profile },
      reason: `wears ${from}, rule ${desired.rule} wants ${desired.profile}; onWrongProfile is report`,
    };
  }
  if (facts.state === 'stopped') {
    // Replace is rejected on stopped instances, so detach then attach (no credentials are in use while stopped).
    return {
      ...acting,
      action: { kind: 'detach-attach', from, to: desired.profile, associationId },
      reason: `stopped, wears ${from}; rule ${desired.rule} wants ${desired.profile}${imdsNote}`,
    };
  }
  // Running: replace is atomic, so the instance is never without credentials.
  return {
    ...acting,
    action: { kind: 'replace', from, to: desired.profile, associationId },
    reason: `wears ${from}; rule ${desired.rule} wants ${desired.profile}${imdsNote}`,
  };
}

/**
 * Whether decide() can ever disassociate under this mapping; the generated policy grants
 * ec2:DisassociateIamInstanceProfile exactly then. A `none` rule or `default: none` strips a
 * profile (whatever onWrongProfile says), and replacing a wrong profile on a stopped instance
 * detaches it first, which needs replace mode and a real profile to attach.
 */
export function canDetach(mapping: Mapping): boolean {
  // Overrides count too: one member role (and one function role) serves every account.
  const stripsProfiles = ruleSets(mapping).some((set) => set.rules.some((r) => r.profile === NO_PROFILE) || set.default === NO_PROFILE);
  const detachesThenAttaches = mapping.onWrongProfile === 'replace' && mappedProfiles(mapping).length > 0;
  return stripsProfiles || detachesThenAttaches;
}

/** IAM treats instance profile names as case-insensitive and unique per account. */
export function sameProfile(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
