import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { stackFrom } from '../../lib/dlq.js';
import type { PackagedTemplate } from '../../support/package.js';

// The template global setup packaged (stage "test"): redrive's idea of "this stack" must name what is really deployed.
const resources = (JSON.parse(readFileSync(inject('templateFile'), 'utf8')) as PackagedTemplate['template']).Resources;
const props = (id: string) => resources[id]?.Properties as Record<string, any>;
const found = stackFrom({ queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/profile-guard-test-dlq', account: '123456789012', region: 'us-east-1' });
if (!found.ok) throw new Error(found.problem);
const { stack } = found;
const nameOf = (arn: string) => arn.split(/[:/]/).pop();

describe("redrive's stack matches the packaged template", () => {
  it('names the DLQ and the topic as deployed', () => {
    expect(props('DeadLetterQueue').QueueName).toBe('profile-guard-test-dlq');
    expect(props('ReportTopic').TopicName).toBe(nameOf(stack.topicArn));
  });

  it('names both functions as deployed', () => {
    expect(props('RemediateLambdaFunction').FunctionName).toBe(nameOf(stack.functions.remediate));
    expect(props('SweepLambdaFunction').FunctionName).toBe(nameOf(stack.functions.sweep));
  });

  it('knows every rule by its exact name, and which function each one targets', () => {
    const rules = Object.values(resources)
      .filter((r) => r.Type === 'AWS::Events::Rule')
      .map((r) => r.Properties as Record<string, any>);
    const targetOf = (name: string) => rules.find((r) => r.Name === name)?.Targets[0].Arn['Fn::GetAtt'][0];
    expect(rules.map((r) => r.Name).sort()).toEqual([...stack.eventRuleArns, stack.sweepRuleArn].map(nameOf).sort());
    for (const arn of stack.eventRuleArns) expect(targetOf(nameOf(arn) as string)).toBe('RemediateLambdaFunction');
    expect(targetOf(nameOf(stack.sweepRuleArn) as string)).toBe('SweepLambdaFunction');
  });
});
