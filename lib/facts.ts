import {
  DescribeIamInstanceProfileAssociationsCommand,
  type EC2Client,
  type Instance,
  type IamInstanceProfileAssociation,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import { EC2_FILTER_MAX_VALUES, chunk } from './batching.js';
import { translateEc2Error } from './act/ec2-errors.js';
import { type CurrentAssociation, type InstanceFacts, type InstanceState, goneFacts, profileNameFromArn } from './model.js';

/** Counts describe calls, so benchmarks and tests can hold the engine to its API budget. */
export interface ReadStats {
  describeInstancesCalls: number;
  describeAssociationsCalls: number;
}

export function newReadStats(): ReadStats {
  return { describeInstancesCalls: 0, describeAssociationsCalls: 0 };
}

/**
 * Reads instance + current association for the given ids: one DescribeInstances and one
 * DescribeIamInstanceProfileAssociations per 200 ids. An id EC2 does not return comes back as "not-found".
 */
export async function readFacts(ec2: EC2Client, instanceIds: readonly string[], stats = newReadStats()): Promise<InstanceFacts[]> {
  const unique = [...new Set(instanceIds)];
  const found = new Map<string, InstanceFacts>();
  for (const ids of chunk(unique, EC2_FILTER_MAX_VALUES)) {
    // A filter (not InstanceIds) so one vanished id does not fail the whole batch with InvalidInstanceID.NotFound.
    const instances = await describeInstances(ec2, [{ Name: 'instance-id', Values: ids }], stats);
    for (const facts of await withAssociations(ec2, instances, stats)) found.set(facts.instanceId, facts);
  }
  return unique.map((id) => found.get(id) ?? goneFacts(id));
}

/** Every live instance in the region, a page at a time, associations included: the sweep's input. */
export async function* listAllFacts(ec2: EC2Client, stats = newReadStats(), pageSize = 1000): AsyncGenerator<InstanceFacts[]> {
  const filters = [{ Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }];
  const pages = paginateDescribeInstances({ client: ec2 }, { Filters: filters, MaxResults: pageSize });
  try {
    for await (const page of pages) {
      stats.describeInstancesCalls++;
      const instances = (page.Reservations ?? []).flatMap((r) => r.Instances ?? []);
      if (instances.length > 0) yield await withAssociations(ec2, instances, stats);
    }
  } catch (error) {
    throw translateEc2Error(error, { operation: 'DescribeInstances' });
  }
}

async function describeInstances(ec2: EC2Client, filters: { Name: string; Values: string[] }[], stats: ReadStats): Promise<Instance[]> {
  const instances: Instance[] = [];
  try {
    for await (const page of paginateDescribeInstances({ client: ec2 }, { Filters: filters })) {
      stats.describeInstancesCalls++;
      for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
    }
  } catch (error) {
    throw translateEc2Error(error, { operation: 'DescribeInstances' });
  }
  return instances;
}

async function withAssociations(ec2: EC2Client, instances: Instance[], stats: ReadStats): Promise<InstanceFacts[]> {
  const ids = instances.map((i) => i.InstanceId).filter((id): id is string => id !== undefined);
  const associations = new Map<string, CurrentAssociation>();
  for (const batch of chunk(ids, EC2_FILTER_MAX_VALUES)) {
    for (const association of await describeAssociations(ec2, batch, stats)) {
      const current = toCurrentAssociation(association);
      if (current && association.InstanceId) associations.set(association.InstanceId, current);
    }
  }
  return instances.filter((i) => i.InstanceId).map((i) => toFacts(i, associations.get(i.InstanceId as string)));
}

async function describeAssociations(ec2: EC2Client, instanceIds: string[], stats: ReadStats): Promise<IamInstanceProfileAssociation[]> {
  const all: IamInstanceProfileAssociation[] = [];
  let nextToken: string | undefined;
  try {
    do {
      stats.describeAssociationsCalls++;
      const page = await ec2.send(
        new DescribeIamInstanceProfileAssociationsCommand({
          // Disassociated associations linger in AWS for a while; they are history, not the current profile.
          Filters: [
            { Name: 'instance-id', Values: instanceIds },
            { Name: 'state', Values: ['associating', 'associated', 'disassociating'] },
          ],
          NextToken: nextToken,
        }),
      );
      all.push(...(page.IamInstanceProfileAssociations ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    throw translateEc2Error(error, { operation: 'DescribeIamInstanceProfileAssociations' });
  }
  return all;
}

function toCurrentAssociation(association: IamInstanceProfileAssociation): CurrentAssociation | undefined {
  const arn = association.IamInstanceProfile?.Arn;
  if (!association.AssociationId || !arn || !association.State || association.State === 'disassociated') return undefined;
  return { associationId: association.AssociationId, profileArn: arn, profileName: profileNameFromArn(arn), state: association.State };
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
    association,
  };
}
