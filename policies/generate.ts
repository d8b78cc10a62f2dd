import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MEMBER_ROLE_NAME } from '../lib/aws/credentials.js';
import { OPERATIONS_BY_PRINCIPAL, OPTIONAL_OPERATIONS, operationById, type Principal } from '../lib/aws/index.js';
import type { AwsOperation } from '../lib/aws/operations.js';
import { canDetach } from '../lib/decide.js';
import { type Mapping, mappedProfiles, roleOf, ruleSets } from '../lib/mapping/schema.js';

/** A string, or a CloudFormation intrinsic that resolves to one (Fn::Sub, Fn::GetAtt, Ref). */
export type CfnValue = string | Record<string, unknown>;

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue | CfnValue[];
  Condition?: Record<string, Record<string, CfnValue | CfnValue[]>>;
}

export type PolicyName = Principal;

/**
 * A statement as written in policies/*.json: either explicit `Action`s (the deployer's
 * CloudFormation permissions), or the `Operations` the code sends (lib/aws/*), whose declared
 * IAM actions fill `Action`, filtered to one service with `ActionsOf` when a call needs
 * actions on different resources (AssociateIamInstanceProfile: ec2 on the instance, iam:PassRole on the role).
 */
interface SkeletonStatement extends Omit<Statement, 'Action'> {
  Action?: string[];
  Operations?: string[];
  ActionsOf?: string;
}

const POLICIES_DIR = dirname(fileURLToPath(import.meta.url));

const sub = (template: string): CfnValue => ({ 'Fn::Sub': template });
const ACCOUNT_ARN = (service: string, resource: string) => sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);

/**
 * Names are unique per account whatever the path, and a path is part of the ARN, so each
 * name is allowed both at the root and under any path.
 */
function iamArns(kind: 'instance-profile' | 'role', names: readonly string[]): CfnValue[] {
  return names.flatMap((name) => [
    sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:${kind}/${name}`),
    sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:${kind}/*/${name}`),
  ]);
}

/** What the mapping decides about a policy: which profiles, roles, and optional actions. */
export function mappingFills(mapping: Mapping): Record<string, CfnValue[]> {
  const profiles = mappedProfiles(mapping);
  const instances = [ACCOUNT_ARN('ec2', 'instance/*')];
  return {
    '<instance-arns>': profiles.length > 0 ? instances : [],
    // Exactly when decide() can disassociate: `none` rules, `default: none`, detach-then-attach.
    '<instance-arns-if-detaching>': canDetach(mapping) ? instances : [],
    '<instance-arns-if-imdsv2>': ruleSets(mapping).some((set) => set.rules.some((r) => r.imdsv2 === 'required')) ? instances : [],
    '<mapped-profile-arns>': iamArns('instance-profile', profiles),
    '<mapped-role-arns>': iamArns('role', [...new Set(profiles.map((p) => roleOf(mapping, p)))]),
  };
}

/** The tag every taggable resource of a stack carries (stack-wide tags; the topic key names it too): its value is the stage. */
export const STACK_TAG = 'profile-guard:stack';

/**
 * CloudFormation names the deployment bucket `<stack>-serverlessdeploymentbucket-<13 random>`
 * (lower case) when that fits S3's 63 characters, and shortens both parts when it does not.
 */
const BUCKET_SUFFIX = '-serverlessdeploymentbucket-';
export function deploymentBucketPattern(stage: string): string {
  const stack = `profile-guard-${stage}`.toLowerCase();
  if (stack.length + BUCKET_SUFFIX.length + 13 <= 63) return `${stack}${BUCKET_SUFFIX}*`;
  // Shortened: only the service's prefix and the start of the logical id are sure to survive.
  return 'profile-guard-*-serverlessdeploy*';
}

/** The stack's own resources by name, for the operator policy (everything is named profile-guard-<stage>-…). */
export function stackFills(stage: string): Record<string, CfnValue[]> {
  const prefix = `profile-guard-${stage}`;
  const bucket = deploymentBucketPattern(stage);
  return {
    '<stage>': [stage],
    '<topic-arn>': [ACCOUNT_ARN('sns', `${prefix}-reports`)],
    // The topic and its subscriptions (arn:…:topic-name:subscription-id).
    '<topic-arns>': [ACCOUNT_ARN('sns', `${prefix}-reports`), ACCOUNT_ARN('sns', `${prefix}-reports:*`)],
    '<dlq-arn>': [ACCOUNT_ARN('sqs', `${prefix}-dlq`)],
    '<account-keys>': [ACCOUNT_ARN('kms', 'key/*')],
    '<sns-endpoint>': [sub('sns.${AWS::Region}.amazonaws.com')],
    '<stack-arn>': [ACCOUNT_ARN('cloudformation', `stack/${prefix}/*`)],
    '<deployment-bucket-arns>': [sub(`arn:\${AWS::Partition}:s3:::${bucket}`), sub(`arn:\${AWS::Partition}:s3:::${bucket}/*`)],
    '<function-role-arn>': [sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${prefix}-\${AWS::Region}`)],
    '<function-arns>': [ACCOUNT_ARN('lambda', `function:${prefix}-*`)],
    '<rule-arns>': [ACCOUNT_ARN('events', `rule/${prefix}-*`)],
    // Dashboards are global: no region in their ARN.
    '<alarm-and-dashboard-arns>': [
      ACCOUNT_ARN('cloudwatch', `alarm:${prefix}-*`),
      sub(`arn:\${AWS::Partition}:cloudwatch::\${AWS::AccountId}:dashboard/${prefix}*`),
    ],
    '<log-group-arns>': [ACCOUNT_ARN('logs', `log-group:/aws/lambda/${prefix}-*`)],
    // osls looks for the image repository it would have made for container functions (there are none).
    '<image-repository-arn>': [ACCOUNT_ARN('ecr', `repository/serverless-profile-guard-${stage}`)],
  };
}

/**
 * A policy from its reviewed skeleton in policies/, placeholders filled. A statement whose
 * resources or condition values come out empty is dropped: the mapping does not need it.
 */
export function renderStatements(name: PolicyName, given: Record<string, CfnValue[]>): Statement[] {
  const skeleton = readSkeleton(name);
  const fills = given;
  const fill = (value: CfnValue | CfnValue[]): CfnValue[] => {
    if (typeof value !== 'string' || !value.startsWith('<')) return [value].flat();
    const filled = fills[value];
    if (!filled) throw new Error(`policies/${name}.json: no value for placeholder ${value}`);
    return filled;
  };
  return skeleton.Statement.flatMap((statement) => {
    const Resource = fill(statement.Resource);
    const Condition = statement.Condition
      ? Object.fromEntries(
          Object.entries(statement.Condition).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, fill(v)]))]),
        )
      : undefined;
    const emptyCondition = Condition && Object.values(Condition).some((keys) => Object.values(keys).some((v) => v.length === 0));
    if (Resource.length === 0 || emptyCondition) return [];
    const { Operations: _operations, ActionsOf: _of, ...rest } = statement;
    return [{ ...rest, Action: actionsOfStatement(name, statement), Resource, ...(Condition ? { Condition } : {}) }];
  });
}

/**
 * The skeleton in policies/<name>.json. The member role has no file of its own: it is the function
 * role's statements for the operations a member account receives (the EC2 reads and changes, on
 * mapped profiles, passing mapped roles), so the two cannot drift apart.
 */
function readSkeleton(name: PolicyName): { Statement: SkeletonStatement[] } {
  if (name === 'member') {
    const memberSends = new Set<string>(OPERATIONS_BY_PRINCIPAL.member.map((o) => o.id));
    const forMembers = (s: SkeletonStatement) => (s.Operations?.length ?? 0) > 0 && (s.Operations ?? []).every((id) => memberSends.has(id));
    return { Statement: readSkeleton('remediate').Statement.filter(forMembers) };
  }
  return JSON.parse(readFileSync(join(POLICIES_DIR, `${name}.json`), 'utf8')) as { Statement: SkeletonStatement[] };
}

function actionsOfStatement(name: PolicyName, statement: SkeletonStatement): string[] {
  if (statement.Action) return statement.Action;
  const actions = (statement.Operations ?? []).flatMap((id) => {
    const declared = operationById(id);
    if (!declared) throw new Error(`policies/${name}.json ${statement.Sid}: no operation ${id} is declared in lib/aws`);
    return declared.iam;
  });
  const wanted = actions.filter((action) => statement.ActionsOf === undefined || action.startsWith(`${statement.ActionsOf}:`));
  if (wanted.length === 0) throw new Error(`policies/${name}.json ${statement.Sid}: its operations need no ${statement.ActionsOf} action`);
  return [...new Set(wanted)];
}

/**
 * Problems between a policy skeleton and what the code sends: an operation its principal sends
 * whose declared actions no statement grants, or a statement for an operation the principal
 * never sends. Empty when they agree; the tests hold both policies to it.
 */
export function skeletonProblems(name: PolicyName): string[] {
  const statements = readSkeleton(name).Statement.filter((s) => s.Operations);
  // A feature's operations (Security Hub) must have their statement even though it is rendered only when the feature is on.
  const optional = Object.values(OPTIONAL_OPERATIONS).flatMap(
    (feature): readonly AwsOperation[] => (feature as Partial<Record<Principal, readonly AwsOperation[]>>)[name] ?? [],
  );
  const sends = [...OPERATIONS_BY_PRINCIPAL[name], ...optional];
  const problems: string[] = [];
  for (const op of sends) {
    for (const action of op.iam) {
      const covered = statements.some((s) => s.Operations?.includes(op.id) && actionsOfStatement(name, s).includes(action));
      if (!covered) problems.push(`${name}: ${op.id} needs ${action} but no statement grants it for that operation`);
    }
  }
  const sent = new Set<string>(sends.map((o) => o.id));
  for (const statement of statements) {
    for (const id of statement.Operations ?? [])
      if (!sent.has(id)) problems.push(`${name}: statement ${statement.Sid} grants ${id}, which ${name} never sends`);
  }
  return problems;
}

/** The function role's statements; the stack's own resources are CloudFormation references. */
export function remediateStatements(
  mapping: Mapping,
  refs: { topicArn: CfnValue; topicKeyArn: CfnValue; dlqArn: CfnValue; sweepQueueArn?: CfnValue },
  features: { securityHub?: boolean; organization?: boolean } = {},
): Statement[] {
  return renderStatements('remediate', {
    ...mappingFills(mapping),
    ...securityHubFills(features.securityHub === true),
    ...organizationFills(features.organization === true, refs.sweepQueueArn),
    '<topic-arn>': [refs.topicArn],
    '<topic-key-arn>': [refs.topicKeyArn],
    '<dlq-arn>': [refs.dlqArn],
  });
}

/** Off (the default), both lists are empty, so the Security Hub statements are dropped: no permission without the feature. */
function securityHubFills(on: boolean): Record<string, CfnValue[]> {
  return {
    '<securityhub-product-arn-if-enabled>': on ? [ACCOUNT_ARN('securityhub', 'product/${AWS::AccountId}/default')] : [],
    '<securityhub-hub-arn-if-enabled>': on ? [ACCOUNT_ARN('securityhub', 'hub/default')] : [],
  };
}

/** Off (single account, the default), both statements are dropped; on, AssumeRole of the one member role name in any account, and the sweep queue. */
function organizationFills(on: boolean, sweepQueueArn?: CfnValue): Record<string, CfnValue[]> {
  return {
    '<member-role-arns-if-organization>': on ? [sub(`arn:\${AWS::Partition}:iam::*:role/${MEMBER_ROLE_NAME}`)] : [],
    '<sweep-queue-arn-if-organization>': on && sweepQueueArn ? [sweepQueueArn] : [],
    // The List* calls authorise on the parent (root or OU) ARN, which embeds the management account's id: any OU or root.
    '<organization-resources-if-organization>': on
      ? [sub('arn:${AWS::Partition}:organizations::*:ou/o-*/ou-*'), sub('arn:${AWS::Partition}:organizations::*:root/o-*/r-*')]
      : [],
  };
}

/** The member role's statements: the same mapping fills, resolved by CloudFormation in each member account. */
export function memberStatements(mapping: Mapping): Statement[] {
  return renderStatements('member', mappingFills(mapping));
}

export function operatorStatements(mapping: Mapping, stage: string): Statement[] {
  return renderStatements('operator', { ...mappingFills(mapping), ...stackFills(stage) });
}

/** Replaces CloudFormation pseudo parameters in every Fn::Sub, as CloudFormation would in one account. */
export function resolvePseudoParameters<T>(value: T, where: { account: string; region: string; partition?: string }): T {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => {
      const template = (v as Record<string, unknown> | null)?.['Fn::Sub'];
      if (typeof template !== 'string') return v;
      return template
        .replaceAll('${AWS::Partition}', where.partition ?? 'aws')
        .replaceAll('${AWS::AccountId}', where.account)
        .replaceAll('${AWS::Region}', where.region);
    }),
  ) as T;
}
