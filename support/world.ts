/**
 * Builds a small AWS world (profiles, a tagged fleet, topic, queues) on whatever endpoint the
 * clients point at: the integration tests and the demo both run on it, against moto.
 */
import { DescribeImagesCommand, type EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { readFacts } from '../lib/facts.js';
import { type Mapping, mappedProfiles, roleOf } from '../lib/mapping/schema.js';

const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** Creates each mapped profile with its role inside, plus any extra ("wrong") profiles named. */
export async function createProfiles(iam: IAMClient, mapping: Mapping, extraProfiles: readonly string[] = []): Promise<void> {
  const profiles = [...mappedProfiles(mapping), ...extraProfiles];
  for (const profile of profiles) {
    const role = roleOf(mapping, profile);
    await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: EC2_TRUST }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: profile, Path: '/profile-guard/' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: profile, RoleName: role }));
  }
}

export interface LaunchSpec {
  tags: Record<string, string>;
  /** Launched wearing this profile (the "wrong" or "right" one). */
  profile?: string;
  stopped?: boolean;
  count?: number;
}

let cachedImage: string | undefined;

export async function launch(ec2: EC2Client, spec: LaunchSpec): Promise<string[]> {
  cachedImage ??= (await ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId;
  const count = spec.count ?? 1;
  const response = await ec2.send(
    new RunInstancesCommand({
      ImageId: cachedImage,
      MinCount: count,
      MaxCount: count,
      InstanceType: 't3.micro',
      ...(spec.profile ? { IamInstanceProfile: { Name: spec.profile } } : {}),
      TagSpecifications:
        Object.keys(spec.tags).length > 0 ? [{ ResourceType: 'instance', Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })) }] : undefined,
    }),
  );
  const ids = (response.Instances ?? []).map((i) => i.InstanceId as string);
  if (spec.stopped) await ec2.send(new StopInstancesCommand({ InstanceIds: ids }));
  return ids;
}

/** The profile each instance wears now, read the way the engine reads it (from the associations). */
export async function profilesOf(ec2: EC2Client, instanceIds: readonly string[]): Promise<Record<string, string | null>> {
  const facts = await readFacts(ec2, instanceIds);
  return Object.fromEntries(facts.map((f) => [f.instanceId, f.association?.profileName ?? null]));
}

export interface Notifications {
  topicArn: string;
  /** Subscribed with raw delivery: receives the machine JSON. */
  queueUrl: string;
  dlqUrl: string;
}

export async function createNotifications(sns: SNSClient, sqs: SQSClient, name = 'profile-guard'): Promise<Notifications> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-reports` }));
  const queueUrl = await createQueue(sqs, `${name}-subscriber`);
  await subscribeQueue(sns, sqs, TopicArn as string, queueUrl);
  const dlqUrl = await createQueue(sqs, `${name}-dlq`);
  return { topicArn: TopicArn as string, queueUrl, dlqUrl };
}

export async function createQueue(sqs: SQSClient, name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return QueueUrl as string;
}

export async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return Attributes?.QueueArn as string;
}

export async function subscribeQueue(sns: SNSClient, sqs: SQSClient, topicArn: string, queueUrl: string, filterPolicy?: object): Promise<void> {
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: await queueArn(sqs, queueUrl),
      Attributes: { RawMessageDelivery: 'true', ...(filterPolicy ? { FilterPolicy: JSON.stringify(filterPolicy) } : {}) },
    }),
  );
}

/** Drains a queue (deleting what it reads) until a receive comes back empty. */
export async function drain(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return all;
    for (const message of Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    all.push(...Messages);
  }
}

/** Launches one instance per named case; returns case name -> instance id. */
export async function launchCases<K extends string>(ec2: EC2Client, cases: Record<K, LaunchSpec>): Promise<Record<K, string>> {
  const ids = {} as Record<K, string>;
  for (const [name, spec] of Object.entries(cases) as [K, LaunchSpec][]) {
    const [id] = await launch(ec2, spec);
    ids[name] = id as string;
  }
  return ids;
}

export async function launchOne(ec2: EC2Client, spec: LaunchSpec): Promise<string> {
  const [id] = await launch(ec2, { ...spec, count: 1 });
  return id as string;
}
