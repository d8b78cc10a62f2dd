/**
 * Creates the packaged template's EventBridge rules in an emulator with an SQS target each,
 * so real PutEvents show which events each pattern selects (moto's TestEventPattern is a stub).
 */
import { type EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { resolvePseudoParameters } from '../policies/generate.js';
import { createQueue, queueArn } from './world.js';

export interface TemplateRule {
  name: string;
  pattern: Record<string, unknown>;
}

/** The patterned rules of a packaged template, with CloudFormation pseudo parameters resolved for one account. */
export function rulesOf(
  template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> },
  account: string,
  region: string,
): TemplateRule[] {
  const resolved = resolvePseudoParameters(template.Resources, { account, region });
  return Object.values(resolved)
    .filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern)
    .map((r) => ({ name: r.Properties.Name as string, pattern: r.Properties.EventPattern as Record<string, unknown> }));
}

/** One queue per rule; returns rule name -> queue URL. */
export async function installRules(events: EventBridgeClient, sqs: SQSClient, rules: readonly TemplateRule[]): Promise<Map<string, string>> {
  const queues = new Map<string, string>();
  for (const rule of rules) {
    const queueUrl = await createQueue(sqs, `${rule.name}-target`);
    await events.send(new PutRuleCommand({ Name: rule.name, EventPattern: JSON.stringify(rule.pattern), State: 'ENABLED' }));
    await events.send(new PutTargetsCommand({ Rule: rule.name, Targets: [{ Id: 'queue', Arn: await queueArn(sqs, queueUrl) }] }));
    queues.set(rule.name, queueUrl);
  }
  return queues;
}

/** Puts a sample event on the default bus, as AWS would deliver it. */
export async function putSample(events: EventBridgeClient, event: Record<string, unknown>): Promise<void> {
  const result = await events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: event.source as string,
          DetailType: event['detail-type'] as string,
          Detail: JSON.stringify(event.detail),
          Resources: (event.resources as string[] | undefined) ?? [],
          Time: new Date(event.time as string),
        },
      ],
    }),
  );
  if (result.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(result.Entries)}`);
}
