import { ORGANIZATIONS_OPERATIONS } from './accounts.js';
import { STS_ASSUME_OPERATIONS } from './credentials.js';
import { EC2_OPERATIONS } from './ec2.js';
import type { AwsOperation } from './operations.js';
import { SECURITY_HUB_OPERATIONS } from './securityhub.js';
import { SNS_OPERATIONS } from './sns.js';
import { SQS_OPERATIONS } from './sqs.js';
import { STS_OPERATIONS } from './sts.js';

/** Every AWS operation in the code base, by id. */
export const ALL_OPERATIONS: readonly AwsOperation[] = [
  ...Object.values(EC2_OPERATIONS),
  ...Object.values(SNS_OPERATIONS),
  ...Object.values(SQS_OPERATIONS),
  ...Object.values(STS_OPERATIONS),
  ...Object.values(STS_ASSUME_OPERATIONS),
  ...Object.values(ORGANIZATIONS_OPERATIONS),
  ...Object.values(SECURITY_HUB_OPERATIONS),
];

/**
 * Who sends what. The functions read, change and report (and keep an unpublished report in the
 * DLQ); the operator's CLI does the same with their credentials, plus redrive and identifying
 * the account. The policy generator fills each principal's statements from these lists.
 */
export const OPERATIONS_BY_PRINCIPAL = {
  remediate: [...Object.values(EC2_OPERATIONS), SNS_OPERATIONS.publish, SQS_OPERATIONS.send],
  // The role in each member account of an organization: only the EC2 reads and changes, on mapped profiles.
  member: Object.values(EC2_OPERATIONS),
  operator: [
    ...Object.values(EC2_OPERATIONS),
    SNS_OPERATIONS.publish,
    SQS_OPERATIONS.receive,
    SQS_OPERATIONS.delete,
    SQS_OPERATIONS.changeVisibility,
    STS_OPERATIONS.callerIdentity,
  ],
} as const satisfies Record<string, readonly AwsOperation[]>;

export type Principal = keyof typeof OPERATIONS_BY_PRINCIPAL;

/**
 * What a principal sends only when a stage parameter turns a feature on (`securityHub: true`).
 * The generator grants these only then; off, the policy has no statement for them.
 */
export const OPTIONAL_OPERATIONS = {
  securityHub: { remediate: Object.values(SECURITY_HUB_OPERATIONS) },
  // `orgId` set: the hub's functions assume the member role in each governed account.
  organization: { remediate: [...Object.values(STS_ASSUME_OPERATIONS), ...Object.values(ORGANIZATIONS_OPERATIONS)] },
} as const satisfies Record<string, Partial<Record<Principal, readonly AwsOperation[]>>>;

export type Feature = keyof typeof OPTIONAL_OPERATIONS;

export function operationById(id: string): AwsOperation | undefined {
  return ALL_OPERATIONS.find((o) => o.id === id);
}
