import {
  DescribeIamInstanceProfileAssociationsCommand,
  type DescribeIamInstanceProfileAssociationsCommandInput,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  EC2Client,
  EC2ServiceException,
  type Filter,
  type Instance,
  type InstanceStateName,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import type { InstanceState } from '../lib/model.js';

export interface FakeInstance {
  id: string;
  state?: InstanceState;
  tags?: Record<string, string>;
  profile?: string;
  associationState?: 'associating' | 'associated' | 'disassociating';
  httpTokens?: 'optional' | 'required';
  httpEndpoint?: 'enabled' | 'disabled';
}

/** An SDK error as EC2 throws it: name, fault and metadata, so the adapter sees the real shape. */
export function ec2Error(name: string, message = name, status = 400): EC2ServiceException {
  return new EC2ServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

export function describeInstancesOutput(instances: readonly FakeInstance[]) {
  const toInstance = (i: FakeInstance): Instance => ({
    InstanceId: i.id,
    State: { Name: (i.state ?? 'running') as InstanceStateName },
    Tags: Object.entries(i.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    VpcId: 'vpc-0abc',
    SubnetId: 'subnet-0abc',
    MetadataOptions: { HttpTokens: i.httpTokens ?? 'optional', HttpEndpoint: i.httpEndpoint ?? 'enabled' },
    // As EC2 does: the instance names its profile (the association says which one is current).
    ...(i.profile ? { IamInstanceProfile: { Arn: `arn:aws:iam::123456789012:instance-profile/${i.profile}`, Id: 'AIPA' } } : {}),
  });
  return { Reservations: [{ Instances: instances.map(toInstance) }] };
}

export function associationsOutput(instances: readonly FakeInstance[]) {
  return {
    IamInstanceProfileAssociations: instances
      .filter((i) => i.profile)
      .map((i) => ({
        AssociationId: `iip-assoc-${i.id.slice(2)}`,
        InstanceId: i.id,
        State: i.associationState ?? 'associated',
        IamInstanceProfile: { Arn: `arn:aws:iam::123456789012:instance-profile/${i.profile}`, Id: 'AIPA' },
      })),
  };
}

/** Honours the instance-id filter, as EC2 does, so batching is tested against real selection. */
function filtered(fleet: readonly FakeInstance[], filters: Filter[] | undefined): FakeInstance[] {
  const ids = filters?.find((f) => f.Name === 'instance-id')?.Values;
  return ids ? fleet.filter((i) => ids.includes(i.id)) : [...fleet];
}

/** An EC2 client whose describe calls answer with the given fleet (each read sees `fleet()` as it is then). */
export function mockEc2(fleet: () => readonly FakeInstance[]) {
  const client = new EC2Client({ region: 'us-east-1' });
  const mock = mockClient(client);
  mock.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => describeInstancesOutput(filtered(fleet(), input.Filters)));
  mock
    .on(DescribeIamInstanceProfileAssociationsCommand)
    .callsFake((input: DescribeIamInstanceProfileAssociationsCommandInput) => associationsOutput(filtered(fleet(), input.Filters)));
  return { client, mock };
}

/** Names of the mutating calls the mock received, in order (every call but the Describe* reads). */
export function writeCalls(mock: ReturnType<typeof mockClient>): string[] {
  return mock
    .calls()
    .map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
    .filter((name) => !name.startsWith('Describe'));
}
