import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import { type CallScope, describeAssociations, describeInstancePages } from './aws/ec2.js';
import { chunk, EC2_FILTER_MAX_VALUES } from './batching.js';
import { type CurrentAssociation, goneFacts, type InstanceFacts, type InstanceState, profileNameFromArn } from './model.js';

/** Counts describe calls, so benchmarks and tests can hold the engine to its API budget. */
export interface ReadStats {
  describeInstancesCalls: number;
  describeAssociationsCalls: number;
}

export function newReadStats(): ReadStats {
  return { describeInstancesCalls: 0, describeAssociationsCalls: 0 };
}

/**
 * Reads instance + current association for the given ids: one DescribeInstances and at most one
 * DescribeIamInstanceProfileAssociations per 200 ids. An id EC2 does not return comes back as "not-found".
 */
export interface ReadOptions extends CallScope {
  /**
   * Read the association even where DescribeInstances shows no profile: after "existing
   * association", DescribeInstances may lag behind the association someone just made.
   */
  alwaysReadAssociations?: boolean | undefined;
}

export async function readFacts(ec2: EC2Client, instanceIds: readonly string[], stats = newReadStats(), options: ReadOptions = {}): Promise<InstanceFacts[]> {
  const unique = [...new Set(instanceIds)];
  const found = new Map<string, InstanceFacts>();
  for (const ids of chunk(unique, EC2_FILTER_MAX_VALUES)) {
    // A filter (not InstanceIds) so one vanished id does not fail the whole batch with InvalidInstanceID.NotFound.
    const instances: Instance[] = [];
    for await (const page of describeInstancePages(ec2, { filters: [{ Name: 'instance-id', Values: ids }] }, options, () => stats.describeInstancesCalls++))
      instances.push(...page);
    for (const facts of await withAssociations(ec2, instances, stats, options)) found.set(facts.instanceId, facts);
  }
  return unique.map((id) => found.get(id) ?? goneFacts(id));
}

/** Every live instance in the region, a page at a time, associations included: the sweep's input. */
export async function* listAllFacts(ec2: EC2Client, stats = newReadStats(), pageSize = 1000, scope: CallScope = {}): AsyncGenerator<InstanceFacts[]> {
  const filters = [{ Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }];
  for await (const instances of describeInstancePages(ec2, { filters, pageSize }, scope, () => stats.describeInstancesCalls++)) {
    if (instances.length > 0) yield await withAssociations(ec2, instances, stats, scope);
  }
}

/**
 * The current association of each instance. DescribeInstances lags behind a replace, so the
 * association is the truth for the profile; but an instance DescribeInstances shows with no
 * profile at all needs no association read (if one is being created right now, our associate
 * meets "existing association" and the engine re-reads).
 */
async function withAssociations(ec2: EC2Client, instances: Instance[], stats: ReadStats, scope: ReadOptions): Promise<InstanceFacts[]> {
  const withProfile = instances.filter((i) => i.InstanceId && (i.IamInstanceProfile || scope.alwaysReadAssociations)).map((i) => i.InstanceId as string);
  const associations = new Map<string, CurrentAssociation>();
  for (const batch of chunk(withProfile, EC2_FILTER_MAX_VALUES)) {
    for (const association of await describeAssociations(ec2, batch, scope, () => stats.describeAssociationsCalls++)) {
      const current = toCurrentAssociation(association);
      if (current && association.InstanceId) associations.set(association.InstanceId, current);
    }
  }
  return instances.filter((i) => i.InstanceId).map((i) => toFacts(i, associations.get(i.InstanceId as string)));
}

function toCurrentAssociation(association: { AssociationId?: string; IamInstanceProfile?: { Arn?: string }; State?: string }): CurrentAssociation | undefined {
  const arn = association.IamInstanceProfile?.Arn;
  if (!association.AssociationId || !arn || !association.State || association.State === 'disassociated') return undefined;
  return {
    associationId: association.AssociationId,
    profileArn: arn,
    profileName: profileNameFromArn(arn),
    state: association.State as CurrentAssociation['state'],
  };
}

function toFacts(instance: Instance, association: CurrentAssociation | undefined): InstanceFacts {
  const tags = new Map<string, string>();
  for (const tag of instance.Tags ?? []) if (tag.Key !== undefined) tags.set(tag.Key, tag.Value ?? '');
  return {
    instanceId: instance.InstanceId as string,
    state: (instance.State?.Name ?? 'not-found') as InstanceState,
    tags,
    vpcId: instance.VpcId,
    subnetId: instance.SubnetId,
    httpTokens: instance.MetadataOptions?.HttpTokens,
    httpEndpoint: instance.MetadataOptions?.HttpEndpoint,
    association,
  };
}
