import type { AwsSecurityFinding, Partition } from '@aws-sdk/client-securityhub';
import { partitionOf } from '../aws/partition.js';

/**
 * AWS Security Finding Format for profile-guard's findings. One finding per instance and control,
 * with a stable Id, so a later import updates it instead of adding another:
 *   instance-profile  the instance does not wear the profile the mapping gives it (drift, a failed change, a dry run)
 *   opt-out-expiry    the instance's opt-out exception has expired: it is managed again; remove or renew the tag
 * FAILED findings are ACTIVE; when the instance is right again the same Id is imported PASSED
 * (NOT_AVAILABLE when it is gone or exempt) and ARCHIVED, with a later UpdatedAt.
 */
export const SCHEMA_VERSION = '2018-10-08';
export const CONTROLS = ['instance-profile', 'opt-out-expiry'] as const;
export type Control = (typeof CONTROLS)[number];
export type ComplianceStatus = 'FAILED' | 'PASSED' | 'NOT_AVAILABLE';
export type SeverityLabel = 'LOW' | 'MEDIUM' | 'HIGH';

/** Where the findings go: the account and region the instances are in (BatchImportFindings must be called from that account). */
export interface FindingScope {
  account: string;
  region: string;
}

/** What one finding says; the fields Security Hub requires are filled around it. */
export interface FindingContent {
  control: Control;
  instanceId: string;
  status: ComplianceStatus;
  severity: SeverityLabel;
  title: string;
  description: string;
  recommendation?: string | undefined;
  /** Extra searchable context (rule, action, report id); empty values are left out. */
  fields?: Record<string, string | undefined> | undefined;
}

const TITLE_MAX = 256;
const DESCRIPTION_MAX = 1024;
const RECOMMENDATION_MAX = 512;

/** The account's own "default" product: what a customer (not a partner) imports findings into. */
export function productArn(scope: FindingScope): string {
  return `arn:${partitionOf(scope.region)}:securityhub:${scope.region}:${scope.account}:product/${scope.account}/default`;
}

export function findingId(scope: FindingScope, instanceId: string, control: Control): string {
  return `profile-guard/${scope.account}/${scope.region}/${instanceId}/${control}`;
}

export const generatorId = (control: Control) => `profile-guard/${control}`;

export function instanceArn(scope: FindingScope, instanceId: string): string {
  return `arn:${partitionOf(scope.region)}:ec2:${scope.region}:${scope.account}:instance/${instanceId}`;
}

const TYPES = ['Software and Configuration Checks/AWS Security Best Practices/EC2 instance profile'];

/**
 * The full finding. `createdAt` is when the problem was first found (kept from the open finding
 * when there is one); `updatedAt` must be later than the stored one or Security Hub ignores the update.
 */
export function toAsff(scope: FindingScope, content: FindingContent, times: { createdAt: string; updatedAt: string }): AwsSecurityFinding {
  // Security Hub exists only in the aws, aws-cn and aws-us-gov partitions: the only ones a finding can name.
  const partition = partitionOf(scope.region) as Partition;
  const severity = { Label: content.severity };
  const productFields = Object.fromEntries(Object.entries(content.fields ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  return {
    SchemaVersion: SCHEMA_VERSION,
    Id: findingId(scope, content.instanceId, content.control),
    ProductArn: productArn(scope),
    GeneratorId: generatorId(content.control),
    AwsAccountId: scope.account,
    Types: TYPES,
    CreatedAt: times.createdAt,
    UpdatedAt: times.updatedAt,
    FirstObservedAt: times.createdAt,
    LastObservedAt: times.updatedAt,
    Severity: severity,
    // Severity and Types as the provider sees them: Security Hub keeps these even after a customer changes the top-level ones.
    FindingProviderFields: { Severity: severity, Types: TYPES },
    Title: clip(content.title, TITLE_MAX),
    Description: clip(content.description, DESCRIPTION_MAX),
    ProductName: 'profile-guard',
    Resources: [{ Type: 'AwsEc2Instance', Id: instanceArn(scope, content.instanceId), Partition: partition, Region: scope.region }],
    Compliance: { Status: content.status },
    RecordState: content.status === 'FAILED' ? 'ACTIVE' : 'ARCHIVED',
    ...(content.recommendation ? { Remediation: { Recommendation: { Text: clip(content.recommendation, RECOMMENDATION_MAX) } } } : {}),
    ...(Object.keys(productFields).length > 0 ? { ProductFields: productFields } : {}),
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
