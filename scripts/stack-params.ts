/**
 * Stage parameters and names, checked at package time (scripts/serverless-variables.cjs calls
 * these), so a stack that AWS would refuse halfway through a deploy is refused before it starts,
 * with the parameter or name and the limit in the message.
 */
import { STACK_TAG } from '../policies/generate.js';

export class StackParameterError extends Error {
  override readonly name = 'StackParameterError';
  constructor(message: string) {
    super(message);
    // osls prints a rejected variable's stack: a parameter error needs its message, not our call sites.
    this.stack = `${this.name}: ${message}`;
  }
}

const fail = (problems: readonly string[]): never => {
  throw new StackParameterError(`profile-guard cannot package this stage:\n  - ${problems.join('\n  - ')}`);
};

/** Empty (or 'none') means "leave it out of the template". */
const isUnset = (value: unknown) => value === undefined || value === null || value === '' || value === 'none';

export interface OptionalSettings {
  /** Reserved concurrency of each function; absent = none reserved. */
  reservedConcurrency?: { remediate?: number; sweep?: number };
  permissionsBoundary?: string;
  /** An existing key for the report topic; absent = the stack creates one. */
  kmsKeyArn?: string;
}

export interface RawParams {
  reservedConcurrency?: unknown;
  sweepConcurrency?: unknown;
  permissionsBoundary?: unknown;
  kmsKeyArn?: unknown;
  memorySize?: unknown;
  region: string;
}

function concurrency(name: string, value: unknown, problems: string[]): number | undefined {
  if (isUnset(value)) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    problems.push(`${name} must be a whole number from 1 to 1000, or '' for none (0 would stop the function entirely), got ${JSON.stringify(value)}`);
    return undefined;
  }
  return n;
}

const BOUNDARY = /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]+$/;
// A key ARN, not an alias: IAM grants use of a key by its ARN.
const KEY = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;

/** The optional settings serverless.yml leaves out when unset; throws naming every bad parameter. */
export function optionalSettings(params: RawParams): OptionalSettings {
  const problems: string[] = [];
  const remediate = concurrency('reservedConcurrency', params.reservedConcurrency, problems);
  const sweep = concurrency('sweepConcurrency', params.sweepConcurrency, problems);
  const settings: OptionalSettings = {};
  if (remediate !== undefined || sweep !== undefined) {
    settings.reservedConcurrency = { ...(remediate !== undefined ? { remediate } : {}), ...(sweep !== undefined ? { sweep } : {}) };
  }
  if (!isUnset(params.permissionsBoundary)) {
    const arn = String(params.permissionsBoundary);
    if (BOUNDARY.test(arn)) settings.permissionsBoundary = arn;
    else problems.push(`permissionsBoundary must be an IAM managed policy ARN (arn:<partition>:iam::<account>:policy/<name>), got ${JSON.stringify(arn)}`);
  }
  if (!isUnset(params.kmsKeyArn)) {
    const match = KEY.exec(String(params.kmsKeyArn));
    const given = JSON.stringify(params.kmsKeyArn);
    if (!match) problems.push(`kmsKeyArn must be a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>; not an alias), got ${given}`);
    else if (match[1] !== params.region) problems.push(`kmsKeyArn is in ${match[1]} but the stack deploys to ${params.region}: SNS needs a key in its region`);
    else settings.kmsKeyArn = match[0];
  }
  if (params.memorySize !== undefined) {
    const n = Number(params.memorySize);
    if (!Number.isInteger(n) || n < 128 || n > 10240) {
      problems.push(`memorySize must be a whole number of MB from 128 to 10240, got ${JSON.stringify(params.memorySize)}`);
    }
  }
  if (problems.length > 0) fail(problems);
  return settings;
}

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Stack-wide tags from the `stackTags` parameter ('key=value,key=value', or a map in a stage's
 * params), plus the stack's own `profile-guard:stack` tag, which the operator policy's KMS
 * conditions rely on and which the parameter cannot override.
 */
export function stackTags(value: unknown, stage: string): Record<string, string> {
  const problems: string[] = [];
  let given: Record<string, string> = {};
  if (typeof value === 'object' && value !== null) {
    given = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  } else if (!isUnset(value)) {
    for (const pair of String(value).split(',')) {
      const at = pair.indexOf('=');
      if (at < 1) {
        problems.push(`stackTags: "${pair}" is not key=value (write stackTags=team=platform,cost-center=1234)`);
        continue;
      }
      given[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
  }
  for (const [key, tagValue] of Object.entries(given)) {
    if (key.length > 128 || !TAG_TEXT.test(key)) problems.push(`stackTags: key "${key}" must be 1-128 letters, digits, spaces or _.:/=+-@`);
    if (tagValue.length > 256 || !TAG_TEXT.test(tagValue)) {
      problems.push(`stackTags: value of "${key}" must be at most 256 letters, digits, spaces or _.:/=+-@`);
    }
    if (key.toLowerCase().startsWith('aws:')) problems.push(`stackTags: key "${key}" uses the reserved aws: prefix`);
    if (key === STACK_TAG) problems.push(`stackTags: "${STACK_TAG}" is set by the stack itself (to the stage) and cannot be overridden`);
  }
  // CloudFormation stack tags: at most 50; osls adds STAGE, the stack adds its own.
  const count = Object.keys(given).length;
  if (count > 48) problems.push(`stackTags: at most 48 tags (CloudFormation allows 50 per stack; STAGE and ${STACK_TAG} are added), got ${count}`);
  if (problems.length > 0) fail(problems);
  return { ...given, [STACK_TAG]: stage };
}

/** AWS's limits on the names the stack gives its resources. */
const NAME_LIMITS: Record<string, { property: string; limit: number; what: string }> = {
  'AWS::IAM::Role': { property: 'RoleName', limit: 64, what: 'IAM role name' },
  'AWS::Lambda::Function': { property: 'FunctionName', limit: 64, what: 'Lambda function name' },
  'AWS::Events::Rule': { property: 'Name', limit: 64, what: 'EventBridge rule name' },
  'AWS::SQS::Queue': { property: 'QueueName', limit: 80, what: 'SQS queue name' },
  'AWS::SNS::Topic': { property: 'TopicName', limit: 256, what: 'SNS topic name' },
  'AWS::CloudWatch::Alarm': { property: 'AlarmName', limit: 255, what: 'CloudWatch alarm name' },
  'AWS::CloudWatch::Dashboard': { property: 'DashboardName', limit: 255, what: 'CloudWatch dashboard name' },
};

export interface ServiceNames {
  service: string;
  stage: string;
  region: string;
  roleName: string;
  /** serverless.yml `functions`: a function is named <service>-<stage>-<key> unless it sets `name`. */
  functions: Record<string, { name?: string; events?: readonly Record<string, { name?: string } | undefined>[] } | undefined>;
  /** serverless.yml `resources` (an object, or a list of them when files are included). */
  resources: unknown;
}

type Resource = { Type?: string; Properties?: Record<string, unknown> };

function resourcesOf(resources: unknown): Record<string, Resource> {
  const parts = Array.isArray(resources) ? resources : [resources];
  return Object.assign({}, ...parts.map((part) => (part as { Resources?: Record<string, Resource> } | null)?.Resources ?? {}));
}

/** Every name the stack gives a resource, with the limit AWS sets for it. */
export function stackNames(names: ServiceNames): { name: string; limit: number; what: string }[] {
  const found = [{ name: names.roleName, ...pick('AWS::IAM::Role') }];
  for (const [key, fn] of Object.entries(names.functions)) {
    found.push({ name: fn?.name ?? `${names.service}-${names.stage}-${key}`, ...pick('AWS::Lambda::Function') });
    for (const event of fn?.events ?? []) {
      for (const [kind, settings] of Object.entries(event ?? {})) {
        const isRule = kind === 'eventBridge' || kind === 'schedule';
        if (isRule && typeof settings?.name === 'string') found.push({ name: settings.name, ...pick('AWS::Events::Rule') });
      }
    }
  }
  for (const resource of Object.values(resourcesOf(names.resources))) {
    const limits = resource.Type ? NAME_LIMITS[resource.Type] : undefined;
    const name = limits ? resource.Properties?.[limits.property] : undefined;
    if (limits && typeof name === 'string') found.push({ name, limit: limits.limit, what: limits.what });
  }
  return found;
}

function pick(type: string) {
  const { limit, what } = NAME_LIMITS[type] as { limit: number; what: string };
  return { limit, what };
}

const STAGE = /^[a-z0-9][a-z0-9-]*$/;

/** Refuses a stage whose names AWS would reject, naming each name, its length and the limit. */
export function checkNames(names: ServiceNames): true {
  const problems: string[] = [];
  // Lower case only: the stage is part of the deployment bucket's name and of IAM ARNs the operator policy matches.
  if (!STAGE.test(names.stage)) problems.push(`stage "${names.stage}" must be lower-case letters, digits and hyphens`);
  for (const { name, limit, what } of stackNames(names)) {
    if (name.length > limit) problems.push(`${what} "${name}" is ${name.length} characters; AWS allows ${limit}. Use a shorter stage (or service) name.`);
  }
  if (problems.length > 0) fail(problems);
  return true;
}
