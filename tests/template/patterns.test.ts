import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import type { PackagedTemplate } from '../../support/package.js';
import { TAG_RULE_PATTERN } from '../fixtures/patterns.js';

const template = JSON.parse(readFileSync(inject('templateFile'), 'utf8')) as PackagedTemplate['template'];
const ruleNamed = (name: string) => Object.values(template.Resources).find((r) => r.Type === 'AWS::Events::Rule' && r.Properties.Name === name);
const patternOf = (name: string) => ruleNamed(name)?.Properties.EventPattern as Record<string, unknown> | undefined;

// Written out in full rather than taken from the catalogue: this is what EventBridge is asked to
// match, and a change to it should be a change to this file too.
describe('packaged template: the event patterns EventBridge evaluates', () => {
  it('the tag rule only fires for tag calls naming at least one instance', () => {
    // EventBridge matches a field inside an array of objects when any item matches, so tagging only
    // volumes, snapshots or ENIs never invokes the function. (moto does not evaluate this filter: see
    // tests/integration/event-patterns.test.ts.)
    expect(patternOf('profile-guard-test-tags')).toEqual(TAG_RULE_PATTERN);
  });

  it('one launch rule takes successful RunInstances and CreateFleet calls', () => {
    expect(patternOf('profile-guard-test-run-instances')).toEqual({
      source: ['aws.ec2'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['ec2.amazonaws.com'], eventName: ['RunInstances', 'CreateFleet'], errorCode: [{ exists: false }] },
    });
  });
});
