/**
 * Which events profile-guard listens to, where each carries its instance ids, and the
 * EventBridge pattern that selects it. One table feeds both the parser and the rules in
 * serverless.yml (through scripts/serverless-variables.cjs), so they cannot drift apart.
 */

/**
 * `run-instances` covers every call that launches instances and returns their ids (RunInstances and
 * instant CreateFleet); the name is kept because reports and the rule's name carry it.
 */
export type EventKind = 'run-instances' | 'state-change' | 'tags-changed' | 'profile-changed-by-others';

/** A role ARN, or a CloudFormation intrinsic that resolves to one at deploy time. */
export type RoleArnValue = string | Record<string, unknown>;

export interface CatalogueEntry {
  kind: EventKind;
  detailType: string;
  /** CloudTrail event names; absent for native EC2 events. */
  eventNames?: readonly string[];
  /**
   * Dotted paths into `detail`; `name[]` walks every item of an array. CloudTrail turns EC2's XML into
   * JSON, so a list of one is often the bare value: `name[]` also takes a single value as a list of one.
   * Ids found at any path are used.
   */
  idPaths: readonly string[];
  /**
   * What an event of this kind that names no instance means. 'drop': normal (a tag call on volumes),
   * accepted with nothing to do. A function: why this one is ignored, or undefined when it should have
   * named one. Absent: it must name an instance, so it is rejected.
   */
  withoutInstances?: 'drop' | ((detail: Readonly<Record<string, unknown>>) => string | undefined);
  description: string;
  pattern(selfRoleArn: RoleArnValue): Record<string, unknown>;
}

const CLOUDTRAIL = 'AWS API Call via CloudTrail';

function cloudTrailPattern(eventNames: readonly string[], extraDetail: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    source: ['aws.ec2'],
    'detail-type': [CLOUDTRAIL],
    // A failed call (errorCode present) changed nothing, so it is not worth an invocation.
    detail: { eventSource: ['ec2.amazonaws.com'], eventName: [...eventNames], errorCode: [{ exists: false }], ...extraDetail },
  };
}

const PROFILE_CALLS = ['AssociateIamInstanceProfile', 'ReplaceIamInstanceProfileAssociation', 'DisassociateIamInstanceProfile'] as const;

/** Only an instant fleet launches inside the call; request and maintain fleets launch later, without ids in this event. */
function fleetWithoutInstances(detail: Readonly<Record<string, unknown>>): string | undefined {
  if (detail.eventName !== 'CreateFleet') return undefined;
  const type = valuesAt(detail, 'requestParameters.CreateFleetRequest.Type', 1).values[0];
  if (type !== 'instant') {
    return 'CreateFleet is not of type instant: its instances launch later, and the running state-change event and the sweep cover them';
  }
  return 'the instant CreateFleet launched no instance (its errorSet says why)';
}

export const CATALOGUE: readonly CatalogueEntry[] = [
  {
    kind: 'run-instances',
    detailType: CLOUDTRAIL,
    // Auto Scaling and Karpenter launch through these calls too, under their own roles.
    eventNames: ['RunInstances', 'CreateFleet'],
    idPaths: [
      'responseElements.instancesSet.items[].instanceId',
      // CreateFleet is one of the newer EC2 APIs CloudTrail wraps as <Action>Response.
      'responseElements.CreateFleetResponse.fleetInstanceSet.item[].instanceIds.item[]',
    ],
    withoutInstances: fleetWithoutInstances,
    description: 'successful RunInstances and instant CreateFleet calls (CloudTrail)',
    pattern: () => cloudTrailPattern(['RunInstances', 'CreateFleet']),
  },
  {
    kind: 'state-change',
    detailType: 'EC2 Instance State-change Notification',
    idPaths: ['instance-id'],
    description: 'an instance reached running (including after a start)',
    pattern: () => ({ source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['running'] } }),
  },
  {
    kind: 'tags-changed',
    detailType: CLOUDTRAIL,
    eventNames: ['CreateTags', 'DeleteTags'],
    // Tag calls name any resource type; only i-… ids are instances, the rest is dropped without an AWS call.
    idPaths: ['requestParameters.resourcesSet.items[].resourceId'],
    withoutInstances: 'drop',
    description: 'tags created or deleted on at least one instance (other resources in the call are dropped by the handler)',
    // EventBridge matches a field inside an array of objects if any item matches, so the rule only
    // fires for calls naming at least one i-… resource: volume, snapshot and ENI tagging never invokes us.
    pattern: () => cloudTrailPattern(['CreateTags', 'DeleteTags'], { requestParameters: { resourcesSet: { items: { resourceId: [{ prefix: 'i-' }] } } } }),
  },
  {
    kind: 'profile-changed-by-others',
    detailType: CLOUDTRAIL,
    eventNames: PROFILE_CALLS,
    idPaths: [
      // CloudTrail wraps newer EC2 APIs as <Action>Request / <Action>Response; the plain shape is accepted too.
      'requestParameters.AssociateIamInstanceProfileRequest.InstanceId',
      ...PROFILE_CALLS.map((call) => `responseElements.${call}Response.iamInstanceProfileAssociation.instanceId`),
      'responseElements.iamInstanceProfileAssociation.instanceId',
      'requestParameters.instanceId',
    ],
    description: 'instance profile associated, replaced or removed by anyone but profile-guard itself',
    // An IAM user's call has no sessionContext, and anything-but never matches an absent field,
    // so "not our role" needs both branches of the $or.
    pattern: (selfRoleArn) =>
      cloudTrailPattern(PROFILE_CALLS, {
        $or: [
          { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': selfRoleArn }] } } } },
          { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ exists: false }] } } } },
        ],
      }),
  },
];

export function findEntry(detailType: string, eventName: string | undefined): CatalogueEntry | undefined {
  return CATALOGUE.find(
    (entry) => entry.detailType === detailType && (entry.eventNames === undefined || (eventName !== undefined && entry.eventNames.includes(eventName))),
  );
}

export interface Walk {
  values: unknown[];
  /** The walk stopped at `limit` values: the event holds more than that at some step of the path. */
  truncated: boolean;
}

/**
 * Values at a dotted path, at most `limit` of them; `items[]` walks an array (or a single value).
 * Missing steps, nulls and non-objects yield nothing. Every step holds at most `limit` values, so the
 * work is bounded whatever the event holds, and no array is ever spread into a call's arguments
 * (an event inside EventBridge's 256 KiB can carry an array of 130,000 items).
 */
export function valuesAt(root: unknown, path: string, limit: number): Walk {
  let current: unknown[] = [root];
  for (const step of path.split('.')) {
    const flatten = step.endsWith('[]');
    const key = flatten ? step.slice(0, -2) : step;
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key)) continue;
      const child = (value as Record<string, unknown>)[key];
      if (child === undefined || child === null) continue;
      const items = flatten && Array.isArray(child) ? child : [child];
      for (const item of items) {
        if (next.length === limit) return { values: next, truncated: true };
        next.push(item);
      }
    }
    current = next;
  }
  return { values: current, truncated: false };
}
