import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canDetach } from '../lib/decide.js';
import { type Mapping, mappedProfiles, roleOf } from '../lib/mapping/schema.js';

/** A string, or a CloudFormation intrinsic that resolves to one (Fn::Sub, Fn::GetAtt, Ref). */
export type CfnValue = string | Record<string, unknown>;

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue | CfnValue[];
  Condition?: Record<string, Record<string, CfnValue | CfnValue[]>>;
}

export type PolicyName = 'remediate' | 'operator';

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
    '<instance-arns-if-imdsv2>': mapping.rules.some((r) => r.imdsv2 === 'required') ? instances : [],
    '<mapped-profile-arns>': iamArns('instance-profile', profiles),
    '<mapped-role-arns>': iamArns('role', [...new Set(profiles.map((p) => roleOf(mapping, p)))]),
  };
}

/** The stack's own resources by name, for the operator policy (everything is named profile-guard-<stage>-…). */
export function stackFills(stage: string): Record<string, CfnValue[]> {
  const prefix = `profile-guard-${stage}`;
  return {
    '<topic-arn>': [ACCOUNT_ARN('sns', `${prefix}-reports`)],
    '<dlq-arn>': [ACCOUNT_ARN('sqs', `${prefix}-dlq`)],
    '<account-keys>': [ACCOUNT_ARN('kms', 'key/*')],
    '<sns-endpoint>': [sub('sns.${AWS::Region}.amazonaws.com')],
    '<stack-arn>': [ACCOUNT_ARN('cloudformation', `stack/${prefix}/*`)],
    '<deployment-bucket-arns>': [sub(`arn:\${AWS::Partition}:s3:::${prefix}-serverlessdeploymentbucket-*`), sub(`arn:\${AWS::Partition}:s3:::${prefix}-serverlessdeploymentbucket-*/*`)],
    '<function-role-arn>': [sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${prefix}-\${AWS::Region}`)],
    '<function-arns>': [ACCOUNT_ARN('lambda', `function:${prefix}-*`)],
    '<rule-arns>': [ACCOUNT_ARN('events', `rule/${prefix}-*`)],
    '<stack-named-resources>': [ACCOUNT_ARN('sns', `${prefix}-*`), ACCOUNT_ARN('sqs', `${prefix}-*`), ACCOUNT_ARN('cloudwatch', `alarm:${prefix}-*`)],
    '<log-group-arns>': [ACCOUNT_ARN('logs', `log-group:/aws/lambda/${prefix}-*`)],
  };
}

/**
 * A policy from its reviewed skeleton in policies/, placeholders filled. A statement whose
 * resources or condition values come out empty is dropped: the mapping does not need it.
 */
export function renderStatements(name: PolicyName, fills: Record<string, CfnValue[]>): Statement[] {
  const skeleton = JSON.parse(readFileSync(join(POLICIES_DIR, `${name}.json`), 'utf8')) as { Statement: Statement[] };
  const fill = (value: CfnValue | CfnValue[]): CfnValue[] => {
    if (typeof value !== 'string' || !value.startsWith('<')) return [value].flat();
    const filled = fills[value];
    if (!filled) throw new Error(`policies/${name}.json: no value for placeholder ${value}`);
    return filled;
  };
  return skeleton.Statement.flatMap((statement) => {
    const Resource = fill(statement.Resource);
    const Condition = statement.Condition
      ? Object.fromEntries(Object.entries(statement.Condition).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, fill(v)]))]))
      : undefined;
    const emptyCondition = Condition && Object.values(Condition).some((keys) => Object.values(keys).some((v) => v.length === 0));
    if (Resource.length === 0 || emptyCondition) return [];
    return [{ ...statement, Resource, ...(Condition ? { Condition } : {}) }];
  });
}

/** The function role's statements; the stack's own resources are CloudFormation references. */
export function remediateStatements(mapping: Mapping, refs: { topicArn: CfnValue; topicKeyArn: CfnValue; dlqArn: CfnValue }): Statement[] {
  return renderStatements('remediate', { ...mappingFills(mapping), '<topic-arn>': [refs.topicArn], '<topic-key-arn>': [refs.topicKeyArn], '<dlq-arn>': [refs.dlqArn] });
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
