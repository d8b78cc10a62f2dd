/**
 * Which events profile-guard listens to, where each carries its instance ids, and the
 * EventBridge pattern that selects it. One table feeds both the parser and the rules in
 * serverless.yml (through scripts/serverless-variables.cjs), so they cannot drift apart.
 */

export type EventKind = 'run-instances' | 'state-change' | 'tags-changed' | 'profile-changed-by-others';

/** A role ARN, or a CloudFormation intrinsic that resolves to one at deploy time. */
export type RoleArnValue = string | Record<string, unknown>;

export interface CatalogueEntry {
  kind: EventKind;
  detailType: string;
  /** CloudTrail event names; absent for native EC2 events. */
  eventNames?: readonly string[];
  /** Dotted paths into `detail`; `[]` walks every item of an array. Ids found at any path are used. */
  idPaths: readonly string[];
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

export const CATALOGUE: readonly CatalogueEntry[] = [
  {
    kind: 'run-instances',
    detailType: CLOUDTRAIL,
    eventNames: ['RunInstances'],
    idPaths: ['responseElements.instancesSet.items[].instanceId'],
    description: 'successful RunInstances calls (CloudTrail)',
    pattern: () => cloudTrailPattern(['RunInstances']),
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
    description: 'tags created or deleted on any resource (non-instances are dropped by the handler)',
    pattern: () => cloudTrailPattern(['CreateTags', 'DeleteTags']),
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
  return CATALOGUE.find((entry) => entry.detailType === detailType && (entry.eventNames === undefined || (eventName !== undefined && entry.eventNames.includes(eventName))));
}

/** Values at a dotted path; `items[]` flattens an array. Missing steps yield nothing. */
export function valuesAt(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const step of path.split('.')) {
    const flatten = step.endsWith('[]');
    const key = flatten ? step.slice(0, -2) : step;
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      const child = (value as Record<string, unknown>)[key];
      if (flatten) {
        if (Array.isArray(child)) next.push(...child);
      } else if (child !== undefined) {
        next.push(child);
      }
    }
    current = next;
  }
  return current;
}
