import type { EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { AccountSuspendedError, MemberRoleDeniedError, RegionNotEnabledError, ScpDeniedError } from '../org/errors.js';
import { type ClientOptions, createEc2Client, createStsClient } from './clients.js';
import type { CallScope } from './ec2.js';
import { type AwsErrorShape, translateAwsError } from './errors.js';
import { operation } from './operations.js';

export const STS_ASSUME_OPERATIONS = {
  // SourceIdentity names the function in the member account's CloudTrail; setting it needs its own action.
  assumeRole: operation('sts:AssumeRole', ['sts:AssumeRole', 'sts:SetSourceIdentity']),
} as const;

/** The role the member StackSet creates in every governed account (one name, so the hub can build its ARN). */
export const MEMBER_ROLE_NAME = 'profile-guard-member';

/** Where a change is made: one account, one region. */
export interface Target {
  account: string;
  region: string;
}

export interface TargetCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AssumeRoleInput {
  roleArn: string;
  /** RoleSessionName and SourceIdentity: the function's name, so member CloudTrail says who acted. */
  sessionName: string;
  /** The regional STS endpoint to ask (the target's region: no dependency on us-east-1). */
  region: string;
}

/**
 * Where member credentials come from: STS in production; a test can inject denials, SCPs or
 * expiry here, which moto cannot show (it does not enforce trust policies or SCPs).
 */
export interface CredentialSource {
  assumeRole(input: AssumeRoleInput, scope?: CallScope): Promise<TargetCredentials>;
}

/** AssumeRole through the regional STS endpoint of the target's region; one STS client per region. */
export function stsCredentialSource(clientOptions: Omit<ClientOptions, 'region' | 'credentials'> = {}): CredentialSource {
  const clients = new Map<string, STSClient>();
  return {
    async assumeRole({ roleArn, sessionName, region }, scope = {}) {
      let sts = clients.get(region);
      if (!sts) {
        sts = createStsClient({ ...clientOptions, region });
        clients.set(region, sts);
      }
      const { Credentials: c } = await sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, SourceIdentity: sessionName, DurationSeconds: 3600 }),
        { abortSignal: scope.signal },
      );
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new Error(`STS returned no credentials for ${roleArn}`);
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) };
    },
  };
}

export interface TargetAccessOptions {
  /** The hub's own account: its instances are reached with the function role, never through AssumeRole. */
  hubAccount: string;
  partition?: string | undefined;
  roleName?: string | undefined;
  /** The function's name (or `profile-guard-cli`): RoleSessionName and SourceIdentity. */
  sessionName: string;
  source: CredentialSource;
  /** Accounts known to be suspended (Organizations status or the static list): no call at all. */
  suspended?: ReadonlySet<string> | undefined;
  /** Credentials are renewed this long before they expire (default 5 minutes). */
  refreshBeforeMs?: number | undefined;
  clock?: (() => number) | undefined;
  clientOptions?: Omit<ClientOptions, 'region' | 'credentials'> | undefined;
}

export interface TargetAccessStats {
  assumeRoleCalls: number;
  /** EC2 calls sent per target ("account/region"), hub included. */
  ec2Calls: Map<string, number>;
}

/** The EC2 client of any account and region of the organization, built and authorised once each. */
export interface TargetAccess {
  ec2For(target: Target, scope?: CallScope): Promise<EC2Client>;
  /** Member credentials for the account, cached; renewed shortly before they expire. */
  credentialsFor(target: Target, scope?: CallScope): Promise<TargetCredentials>;
  roleArnFor(account: string): string;
  readonly stats: TargetAccessStats;
}

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const keyOf = (target: Target) => `${target.account}/${target.region}`;

export function createTargetAccess(options: TargetAccessOptions): TargetAccess {
  const clock = options.clock ?? Date.now;
  const refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
  const partition = options.partition ?? 'aws';
  const roleName = options.roleName ?? MEMBER_ROLE_NAME;
  // RoleSessionName allows [\w+=,.@-]{2,64}: a Lambda function name fits, anything else is cut to fit.
  const sessionName = SESSION_NAME.test(options.sessionName)
    ? options.sessionName
    : options.sessionName
        .replace(/[^\w+=,.@-]/g, '-')
        .slice(0, 64)
        .padEnd(2, '-');
  const credentials = new Map<string, { value: Promise<TargetCredentials>; expiresAt?: number }>();
  const clients = new Map<string, EC2Client>();
  const stats: TargetAccessStats = { assumeRoleCalls: 0, ec2Calls: new Map() };
  const roleArnFor = (account: string) => `arn:${partition}:iam::${account}:role/${roleName}`;

  function credentialsFor(target: Target, scope: CallScope = {}): Promise<TargetCredentials> {
    const cached = credentials.get(target.account);
    // In flight (no expiry yet) or still fresh: one AssumeRole serves every event and region of the account.
    if (cached && (cached.expiresAt === undefined || clock() < cached.expiresAt - refreshBeforeMs)) return cached.value;
    const roleArn = roleArnFor(target.account);
    stats.assumeRoleCalls++;
    const entry: { value: Promise<TargetCredentials>; expiresAt?: number } = {
      value: options.source.assumeRole({ roleArn, sessionName, region: target.region }, scope).then(
        (value) => {
          entry.expiresAt = value.expiration.getTime();
          return value;
        },
        (error: unknown) => {
          // Not cached: the next event asks again (someone may have fixed the trust policy meanwhile).
          if (credentials.get(target.account) === entry) credentials.delete(target.account);
          throw assumeRoleFailure(error, target, roleArn);
        },
      ),
    };
    credentials.set(target.account, entry);
    return entry.value;
  }

  async function ec2For(target: Target, scope: CallScope = {}): Promise<EC2Client> {
    if (options.suspended?.has(target.account)) {
      throw new AccountSuspendedError(
        `account ${target.account} is suspended: nothing is read or changed there (no call made); remove it from the targets or reinstate it`,
      );
    }
    const key = keyOf(target);
    const existing = clients.get(key);
    if (existing) return existing;
    const member = target.account !== options.hubAccount;
    // The member credentials are fetched first so a denied role fails here, named, before any EC2 call.
    if (member) await credentialsFor(target, scope);
    const client = createEc2Client({
      ...options.clientOptions,
      region: target.region,
      ...(member ? { credentials: () => credentialsFor(target) } : {}),
    });
    client.middlewareStack.add(
      (next) => async (args) => {
        stats.ec2Calls.set(key, (stats.ec2Calls.get(key) ?? 0) + 1);
        try {
          return await next(args);
        } catch (error) {
          throw targetEc2Failure(error, target, member ? roleArnFor(target.account) : undefined) ?? error;
        }
      },
      { step: 'initialize', name: 'profileGuardTarget' },
    );
    clients.set(key, client);
    return client;
  }

  return { ec2For, credentialsFor, roleArnFor, stats };
}

function assumeRoleFailure(error: unknown, target: Target, roleArn: string) {
  const aws = (error ?? {}) as AwsErrorShape;
  if (aws.name === 'AccessDenied' || aws.name === 'AccessDeniedException') {
    return new MemberRoleDeniedError(
      `account ${target.account}: AssumeRole into ${roleArn} was denied (${aws.message ?? aws.name}); deploy the member-role StackSet to this account's OU (or check that the role trusts the hub's function roles)`,
      { cause: error },
    );
  }
  if (aws.name === 'RegionDisabledException') {
    return new RegionNotEnabledError(
      `account ${target.account}: STS is not activated in ${target.region}; enable the region for the account or drop it from the regions`,
      { cause: error },
    );
  }
  return translateAwsError(error, { operation: `sts:AssumeRole into ${roleArn}` });
}

/**
 * What only an organization can make of an EC2 error: an SCP deny, or a region the account has not
 * enabled (its endpoint answers OptInRequired, or AuthFailure to credentials that are otherwise good).
 * Anything else is left to the EC2 adapter's own translation.
 */
function targetEc2Failure(error: unknown, target: Target, roleArn: string | undefined): Error | undefined {
  const aws = (error ?? {}) as AwsErrorShape;
  const where = `account ${target.account} in ${target.region}`;
  if (/service control polic/i.test(aws.message ?? '')) {
    return new ScpDeniedError(
      `${where}: a service control policy denies the call (${aws.name}: ${aws.message}); ask the organization's administrator to exempt ${roleArn ?? 'the function role'}`,
      {
        cause: error,
      },
    );
  }
  if (aws.name === 'OptInRequired' || (roleArn && aws.name === 'AuthFailure')) {
    return new RegionNotEnabledError(`${where}: the region is not enabled for the account (${aws.name}); enable it or drop ${target.region} from the regions`, {
      cause: error,
    });
  }
  return undefined;
}
