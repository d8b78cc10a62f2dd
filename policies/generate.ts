import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Mapping, NO_PROFILE, mappedProfiles, roleOf } from '../lib/mapping/schema.js';

/** A string, or a CloudFormation intrinsic that resolves to one (Fn::Sub, Fn::GetAtt, Ref). */
export type CfnValue = string | Record<string, unknown>;

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue | CfnValue[];
  Condition?: Record<string, Record<string, CfnValue | CfnValue[]>>;
}

export interface PolicyRefs {
  topicArn: CfnValue;
  topicKeyArn: CfnValue;
  dlqArn: CfnValue;
}

const POLICIES_DIR = dirname(fileURLToPath(import.meta.url));

const sub = (template: string): CfnValue => ({ 'Fn::Sub': template });

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

/** The function role's statements: policies/remediate.json with its placeholders filled from the mapping. */
export function remediateStatements(mapping: Mapping, refs: PolicyRefs): Statement[] {
  const profiles = mappedProfiles(mapping);
  const instances = [sub('arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*')];
  // Disassociate serves `profile: none` rules and the detach-then-attach of a stopped instance's wrong profile.
  const detaches = mapping.rules.some((r) => r.profile === NO_PROFILE) || (mapping.onWrongProfile === 'replace' && profiles.length > 0);
  const fills: Record<string, CfnValue[]> = {
    '<instance-arns>': profiles.length > 0 ? instances : [],
    '<instance-arns-if-detaching>': detaches ? instances : [],
    '<instance-arns-if-imdsv2>': mapping.rules.some((r) => r.imdsv2 === 'required') ? instances : [],
    '<mapped-profile-arns>': iamArns('instance-profile', profiles),
    '<mapped-role-arns>': iamArns('role', [...new Set(profiles.map((p) => roleOf(mapping, p)))]),
    '<topic-arn>': [refs.topicArn],
    '<topic-key-arn>': [refs.topicKeyArn],
    '<dlq-arn>': [refs.dlqArn],
  };
  const skeleton = JSON.parse(readFileSync(join(POLICIES_DIR, 'remediate.json'), 'utf8')) as { Statement: Statement[] };
  const fill = (value: CfnValue | CfnValue[]): CfnValue[] => (typeof value === 'string' && value in fills ? (fills[value] as CfnValue[]) : [value].flat());
  return skeleton.Statement.flatMap((statement) => {
    const Resource = fill(statement.Resource);
    if (Resource.length === 0) return [];
    const Condition = statement.Condition
      ? Object.fromEntries(Object.entries(statement.Condition).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, fill(v)]))]))
      : undefined;
    if (Condition && Object.values(Condition).some((keys) => Object.values(keys).some((v) => (v as CfnValue[]).length === 0))) return [];
    return [{ ...statement, Resource, ...(Condition ? { Condition } : {}) }];
  });
}
