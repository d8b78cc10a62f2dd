/**
 * The organization's infrastructure (resources/organization.yml), built from the same catalogue
 * patterns and policy generator as the single-account stack, so the member role, the spokes and the
 * hub rules cannot drift from what the code sends and listens to. Nothing here when `orgId` is unset.
 */
import { MEMBER_ROLE_NAME } from '../aws/credentials.js';
import { CATALOGUE, type CatalogueEntry } from '../events/catalogue.js';
import { isOuOrRoot, isRegion, ORG_ID } from '../events/fields.js';
import type { Mapping } from '../mapping/schema.js';

export { listParam } from './settings.js';

import { type CfnValue, memberStatements } from '../../policies/generate.js';

export const FORWARDER_ROLE_NAME = 'profile-guard-forwarder';

export interface OrganizationSettings {
  stage: string;
  /** The hub's region: its function role is profile-guard-<stage>-<region>. */
  hubRegion: string;
  orgId: string;
  targetOus: readonly string[];
  /** Governed regions: a spoke in each; the member role (IAM is global) in the first only. */
  regions: readonly string[];
  mapping: Mapping;
}

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

/** Every problem with the organization parameters, named; empty when they are usable. */
export function organizationProblems(s: Pick<OrganizationSettings, 'orgId' | 'targetOus' | 'regions'>): string[] {
  const problems: string[] = [];
  if (!ORG_ID.test(s.orgId)) problems.push(`orgId: ${JSON.stringify(s.orgId)} is not an organization id such as o-abc123defg`);
  if (s.targetOus.length === 0) problems.push('targetOus: name at least one OU (ou-xxxx-xxxxxxxx, or the root r-xxxx) to deploy the member role and spokes to');
  for (const ou of s.targetOus) if (!isOuOrRoot(ou)) problems.push(`targetOus: ${JSON.stringify(ou)} is not an OU id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)`);
  if (s.regions.length === 0) problems.push('regions: name the governed regions (e.g. eu-west-1,us-east-1)');
  for (const region of s.regions) if (!isRegion(region)) problems.push(`regions: ${JSON.stringify(region)} is not a region`);
  return problems;
}

const camel = (kebab: string) => kebab.replace(/(^|-)(\w)/g, (_, _dash, c: string) => c.toUpperCase());
const sub = (template: string): CfnValue => ({ 'Fn::Sub': template });

/** The hub's function role (both functions share it): named, so members can trust exactly it. */
const hubRoleArn = (s: OrganizationSettings, account: string) => `arn:\${AWS::Partition}:iam::${account}:role/profile-guard-${s.stage}-${s.hubRegion}`;
const memberRoleArnIn = (account: string) => `arn:\${AWS::Partition}:iam::${account}:role/${MEMBER_ROLE_NAME}`;

/** The member template: the role the hub assumes and the role the spokes forward with. Parameters: HubAccountId, HubBusArn. */
export function memberRoleTemplate(s: OrganizationSettings): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `profile-guard ${s.stage}: the role the hub assumes to keep this account's instance profiles right, and the event forwarder's role`,
    Parameters: { HubAccountId: { Type: 'String', AllowedPattern: '^\\d{12}$' }, HubBusArn: { Type: 'String' } },
    Resources: {
      MemberRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: MEMBER_ROLE_NAME,
          Description: 'profile-guard hub: reads instances and attaches only the mapped instance profiles',
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'OnlyTheHubFunctions',
                Effect: 'Allow',
                Principal: { AWS: sub(hubRoleArn(s, '${HubAccountId}')) },
                // SourceIdentity names the function in this account's CloudTrail.
                Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
                Condition: { StringEquals: { 'aws:PrincipalOrgID': s.orgId } },
              },
            ],
          },
          Policies: [{ PolicyName: 'profile-guard-member', PolicyDocument: { Version: '2012-10-17', Statement: memberStatements(s.mapping) } }],
        },
      },
      ForwarderRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: FORWARDER_ROLE_NAME,
          Description: "profile-guard spokes: forward this account's EC2 events to the hub bus",
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'forward-to-hub',
              PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'HubBusArn' } }] },
            },
          ],
        },
      },
    },
  };
}

/**
 * The drift rule must not fire on profile-guard's own calls: in a member account they are the member
 * role's, in the hub the function role's. anything-but with wildcards excludes both at once.
 */
function patternOf(entry: CatalogueEntry, exclude: CfnValue[]): Record<string, unknown> {
  return entry.pattern({ wildcard: exclude });
}

/** The spoke template (every governed region of every member): the catalogue's rules on the default bus, forwarding to the hub bus. */
export function spokeTemplate(s: OrganizationSettings): Record<string, unknown> {
  const resources: Record<string, Resource> = {};
  for (const entry of CATALOGUE) {
    resources[`Spoke${camel(entry.kind)}Rule`] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: `profile-guard-${s.stage}-spoke-${entry.kind}`,
        Description: `profile-guard: ${entry.description}, forwarded to the hub`,
        EventPattern: patternOf(entry, [sub(memberRoleArnIn('${AWS::AccountId}'))]),
        State: 'ENABLED',
        Targets: [{ Id: 'hub', Arn: { Ref: 'HubBusArn' }, RoleArn: sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${FORWARDER_ROLE_NAME}`) }],
      },
    };
  }
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `profile-guard ${s.stage}: forwards this region's EC2 events to the hub`,
    Parameters: { HubBusArn: { Type: 'String' } },
    Resources: resources,
  };
}

function stackSet(
  s: OrganizationSettings,
  name: string,
  description: string,
  template: object,
  regions: readonly string[],
  parameters: Record<string, CfnValue>,
): Resource {
  return {
    Type: 'AWS::CloudFormation::StackSet',
    Properties: {
      StackSetName: `profile-guard-${s.stage}-${name}`,
      Description: description,
      // Organizations deploys it (no admin/execution roles to create by hand), and to every account that joins a target OU later.
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      // Run by a delegated administrator account (the hub), not only the management account.
      CallAs: 'DELEGATED_ADMIN',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ManagedExecution: { Active: true },
      OperationPreferences: { FailureTolerancePercentage: 10, MaxConcurrentPercentage: 25, RegionConcurrencyType: 'PARALLEL' },
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: [...s.targetOus] }, Regions: [...regions] }],
      TemplateBody: JSON.stringify(template),
    },
  };
}

/** The hub's side: the organization bus and its policy, the catalogue's rules on it, and the two StackSets. */
export function organizationResources(s: OrganizationSettings): Record<string, Resource> {
  const problems = organizationProblems(s);
  if (problems.length > 0) throw new Error(`invalid organization parameters:\n  - ${problems.join('\n  - ')}`);
  const busName = `profile-guard-${s.stage}-org`;
  const resources: Record<string, Resource> = {
    OrganizationEventBus: { Type: 'AWS::Events::EventBus', Properties: { Name: busName } },
    OrganizationEventBusPolicy: {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: {
        EventBusName: { Ref: 'OrganizationEventBus' },
        StatementId: 'OrganizationMembersPutEvents',
        Statement: {
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: { 'Fn::GetAtt': ['OrganizationEventBus', 'Arn'] },
          Condition: { StringEquals: { 'aws:PrincipalOrgID': s.orgId } },
        },
      },
    },
  };
  for (const entry of CATALOGUE) {
    const rule = `Organization${camel(entry.kind)}Rule`;
    resources[rule] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        // rule/<bus>/<name> still matches the dead-letter queue's rule/profile-guard-<stage>-* condition.
        Name: `profile-guard-${s.stage}-org-${entry.kind}`,
        Description: `profile-guard: ${entry.description}, from every member account`,
        EventBusName: { Ref: 'OrganizationEventBus' },
        EventPattern: patternOf(entry, [sub(hubRoleArn(s, '${AWS::AccountId}')), sub(memberRoleArnIn('*'))]),
        State: 'ENABLED',
        Targets: [
          {
            Id: 'remediate',
            Arn: { 'Fn::GetAtt': ['RemediateLambdaFunction', 'Arn'] },
            RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] } },
          },
        ],
      },
    };
    resources[`${rule}Permission`] = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        FunctionName: { 'Fn::GetAtt': ['RemediateLambdaFunction', 'Arn'] },
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [rule, 'Arn'] },
      },
    };
  }
  // One message per account-region; FIFO groups keep two sweeps of one target from overlapping.
  resources.OrganizationSweepQueue = {
    Type: 'AWS::SQS::Queue',
    Properties: {
      QueueName: `profile-guard-${s.stage}-org-sweep.fifo`,
      FifoQueue: true,
      // Longer than the worker's timeout, or a message still being swept is handed to a second worker.
      VisibilityTimeout: 960,
      MessageRetentionPeriod: 86400,
      SqsManagedSseEnabled: true,
    },
  };
  const busArn = { 'Fn::GetAtt': ['OrganizationEventBus', 'Arn'] };
  // A named IAM role exists once per account: in two regions the second stack fails with EntityAlreadyExists.
  resources.MemberRoleStackSet = {
    ...stackSet(
      s,
      'member-role',
      'profile-guard: the member role and the forwarder role, one region per account',
      memberRoleTemplate(s),
      [s.regions[0] as string],
      {
        HubAccountId: { Ref: 'AWS::AccountId' },
        HubBusArn: busArn,
      },
    ),
    // The trust policy names the function role: it must exist before IAM accepts it as a principal.
    DependsOn: ['IamRoleLambdaExecution'],
  };
  resources.SpokeStackSet = {
    ...stackSet(s, 'spokes', "profile-guard: forwards each governed region's EC2 events to the hub", spokeTemplate(s), s.regions, { HubBusArn: busArn }),
    DependsOn: ['MemberRoleStackSet', 'OrganizationEventBusPolicy'],
  };
  return resources;
}

export interface FunctionSettings {
  stage: string;
  targetOus: readonly string[];
  accounts: readonly string[];
  regions: readonly string[];
  sweepRate: string;
  sweepEnabled: boolean;
  /** The worker's reservation; undefined: none. */
  reservedConcurrency?: number | undefined;
}

/** The planner (scheduled) and the worker (one message at a time): serverless function definitions. */
export function organizationFunctions(f: FunctionSettings): Record<string, unknown> {
  const environment = {
    ORG_ACCOUNTS: f.accounts.join(','),
    ORG_TARGET_OUS: f.targetOus.join(','),
    ORG_REGIONS: f.regions.join(','),
    SWEEP_QUEUE_URL: { Ref: 'OrganizationSweepQueue' },
  };
  return {
    sweepPlanner: {
      handler: 'functions/sweep-planner.handler',
      description: 'Organization sweep: one message per governed account and region',
      timeout: 60,
      reservedConcurrency: 1,
      maximumRetryAttempts: 0,
      environment,
      events: [{ schedule: { name: `profile-guard-${f.stage}-org-sweep`, rate: f.sweepRate, enabled: f.sweepEnabled } }],
    },
    sweepWorker: {
      handler: 'functions/sweep-worker.handler',
      description: 'Organization sweep: sweeps one account and region with the member role',
      timeout: 900,
      ...(f.reservedConcurrency !== undefined ? { reservedConcurrency: f.reservedConcurrency } : {}),
      environment,
      events: [{ sqs: { arn: { 'Fn::GetAtt': ['OrganizationSweepQueue', 'Arn'] }, batchSize: 1 } }],
    },
  };
}
