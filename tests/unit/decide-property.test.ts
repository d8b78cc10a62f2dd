import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ActionKind, type Decision, decide, sameProfile, writes } from '../../lib/decide.js';
import type { Mapping } from '../../lib/mapping/schema.js';
import type { InstanceFacts } from '../../lib/model.js';
import { instanceFacts, referenceGlob, validMapping } from './mapping-arbitraries.js';

/** The mapping's answer, recomputed independently: Map lookups and the reference glob. */
function expectedDesired(facts: InstanceFacts, mapping: Mapping): { profile: string; rule: string; imdsv2: boolean } | undefined {
  for (const rule of mapping.rules) {
    const tags = [...(rule.match.tags ?? [])];
    if (tags.every(([key, pattern]) => facts.tags.has(key) && referenceGlob(pattern, facts.tags.get(key) as string))) {
      return { profile: rule.profile, rule: rule.name, imdsv2: rule.imdsv2 === 'required' };
    }
  }
  return mapping.default === undefined ? undefined : { profile: mapping.default, rule: 'default', imdsv2: false };
}

/** The README's decision table, row by row, as a function of the facts. */
function expectedKind(facts: InstanceFacts, mapping: Mapping): ActionKind {
  if (['not-found', 'terminated', 'shutting-down'].includes(facts.state)) return 'skip';
  if (facts.tags.get(mapping.optOutTag) === 'true') return 'skip';
  const desired = expectedDesired(facts, mapping);
  if (!desired) return 'skip';
  const current = facts.association;
  if (current?.state === 'associating' || current?.state === 'disassociating') return 'wait';
  if (facts.state === 'pending' || facts.state === 'stopping') return 'wait';
  if (desired.profile === 'none') return current ? 'disassociate' : 'noop';
  if (!current) return 'associate';
  if (current.profileName.toLowerCase() === desired.profile.toLowerCase()) return 'noop';
  if (mapping.onWrongProfile === 'report') return 'report-drift';
  return facts.state === 'stopped' ? 'detach-attach' : 'replace';
}

const property = (check: (facts: InstanceFacts, mapping: Mapping, decision: Decision) => void) =>
  fc.assert(
    fc.property(instanceFacts, validMapping, (facts, mapping) => check(facts, mapping, decide(facts, mapping))),
    { numRuns: 1000 },
  );

describe('decide, on arbitrary instances and valid mappings', () => {
  it('never throws, always explains itself, and follows the decision table', () => {
    property((facts, mapping, decision) => {
      expect(decision.reason).not.toBe('');
      expect(decision.action.kind).toBe(expectedKind(facts, mapping));
    });
  });

  it('never writes to a terminated, shutting-down or vanished instance', () => {
    property((facts, _mapping, decision) => {
      if (['not-found', 'terminated', 'shutting-down'].includes(facts.state)) {
        expect(decision.action).toEqual({ kind: 'skip', why: 'gone' });
        expect(writes(decision)).toBe(false);
      }
    });
  });

  it('never writes to an instance that opted out', () => {
    property((facts, mapping, decision) => {
      if (facts.tags.get(mapping.optOutTag) === 'true') expect(writes(decision)).toBe(false);
    });
  });

  it('wants the profile the first matching rule (or the default) names, looking tags up as own entries only', () => {
    property((facts, mapping, decision) => {
      if (decision.action.kind === 'skip') return;
      const desired = expectedDesired(facts, mapping);
      expect(decision.desiredProfile).toBe(desired?.profile);
      expect(decision.rule).toBe(desired?.rule);
    });
  });

  it('never calls it a noop when the desired and current profiles differ (names compared case-insensitively)', () => {
    property((facts, _mapping, decision) => {
      if (decision.action.kind !== 'noop') return;
      const current = facts.association?.profileName;
      if (decision.desiredProfile === 'none') expect(current).toBeUndefined();
      else expect(current !== undefined && sameProfile(current, decision.desiredProfile as string)).toBe(true);
    });
  });

  it('replaces only on running instances and detaches-then-attaches only on stopped ones, never while anything is in transition', () => {
    property((facts, _mapping, decision) => {
      const { action } = decision;
      if (action.kind === 'replace') expect(facts.state).toBe('running');
      if (action.kind === 'detach-attach') expect(facts.state).toBe('stopped');
      if (writes(decision)) {
        expect(['running', 'stopped']).toContain(facts.state);
        expect(facts.association?.state ?? 'associated').toBe('associated');
      }
    });
  });

  it('carries the association it acts on and the profile it wants into every write', () => {
    property((facts, _mapping, decision) => {
      const { action } = decision;
      if ('from' in action) expect(action.from).toBe(facts.association?.profileName);
      if ('associationId' in action) expect(action.associationId).toBe(facts.association?.associationId);
      if ('to' in action) expect(action.to).toBe(decision.desiredProfile);
      if (action.kind === 'associate') expect(facts.association).toBeUndefined();
      if (action.kind === 'disassociate') expect(decision.desiredProfile).toBe('none');
    });
  });

  it('changes nothing but reports drift in report mode, and asks for IMDSv2 only where the rule wants it and the instance lacks it', () => {
    property((facts, mapping, decision) => {
      if (decision.action.kind === 'report-drift') expect(mapping.onWrongProfile).toBe('report');
      if (decision.enforceImdsv2) {
        expect(expectedDesired(facts, mapping)?.imdsv2).toBe(true);
        expect(facts.httpTokens).not.toBe('required');
        expect(['running', 'stopped']).toContain(facts.state);
      }
    });
  });
});
