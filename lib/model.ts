/** The instance states EC2 reports, plus "not-found" for an id EC2 no longer knows. */
export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped' | 'not-found';

export type AssociationState = 'associating' | 'associated' | 'disassociating' | 'disassociated';

export interface CurrentAssociation {
  associationId: string;
  profileArn: string;
  /** The name part of the ARN: names are unique per account whatever the path, so we compare names. */
  profileName: string;
  state: AssociationState;
}

/** Everything the decision needs about one instance, read in batches by lib/facts.ts. */
export interface InstanceFacts {
  instanceId: string;
  state: InstanceState;
  /** Own entries only: tag keys are data (`constructor` is a valid key), never looked up on an object. */
  tags: ReadonlyMap<string, string>;
  vpcId?: string | undefined;
  subnetId?: string | undefined;
  /** IMDS HttpTokens: "required" means IMDSv2 is enforced. */
  httpTokens?: string | undefined;
  /** IMDS HttpEndpoint: "disabled" means its owner turned the metadata endpoint off. */
  httpEndpoint?: string | undefined;
  association?: CurrentAssociation | undefined;
}

/** What EC2 instance ids look like: i- and 8 (older) or 17 hex digits. */
export function isInstanceId(value: string): boolean {
  return /^i-[0-9a-f]{8,17}$/.test(value);
}

export function goneFacts(instanceId: string): InstanceFacts {
  return { instanceId, state: 'not-found', tags: new Map() };
}

/** Last path segment of an instance profile ARN: arn:aws:iam::1:instance-profile/path/Name -> Name. */
export function profileNameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
