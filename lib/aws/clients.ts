import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';

export interface Clients {
  ec2: EC2Client;
  sns: SNSClient;
  sqs: SQSClient;
}

export interface ClientOptions {
  region?: string | undefined;
  /** A profile in ~/.aws/config and ~/.aws/credentials (the operator's --profile): its credentials, and its region unless AWS_REGION says otherwise. */
  profile?: string | undefined;
  /** Explicit credentials (another principal's); default: the usual provider chain. */
  credentials?:
    | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
    | (() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>)
    | undefined;
  /** Another endpoint than the environment's (a benchmark's fake EC2 per account). */
  endpoint?: string | undefined;
  /** Wraps each client (Powertools' tracer.captureAWSv3Client in Lambda). */
  instrument?: <T>(client: T) => T;
}

/**
 * How every client talks to AWS, in one place:
 * - adaptive retry: the SDK slows down when EC2's token bucket (shared with the whole account)
 *   runs dry, and retries resets, refused connections, timeouts and 5xx by itself;
 * - a connection timeout and a request timeout that really throws (in this SDK version
 *   `requestTimeout` alone only logs a warning): a call that never answers fails and is
 *   retried instead of hanging until Lambda kills the invocation;
 * - keep-alive (the SDK's default agent) so a burst reuses connections.
 * Region, credentials and endpoint come from the usual AWS environment (AWS_REGION,
 * AWS_PROFILE, AWS_ENDPOINT_URL), so the same build runs against AWS or moto.
 */
export const CLIENT_CONFIG = {
  retryMode: 'adaptive',
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 15_000, throwOnRequestTimeout: true },
} as const;

const MAX_ATTEMPTS = { ec2: 6, sns: 4, sqs: 4, sts: 3, organizations: 4, securityhub: 4 } as const;

/** One client's settings: CLIENT_CONFIG, its attempts, and the options that were given. */
export function configFor(service: keyof typeof MAX_ATTEMPTS, options: ClientOptions) {
  return {
    ...CLIENT_CONFIG,
    requestHandler: { ...CLIENT_CONFIG.requestHandler },
    maxAttempts: MAX_ATTEMPTS[service],
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
}

/**
 * The clients, each built on first use and then kept: constructing an SDK client resolves its
 * whole configuration chain, and most invocations never touch SQS (only a report SNS refused
 * goes there) and many never publish (nothing to report). The getters are enumerable own
 * properties, so `Object.entries(clients)` still sees (and builds) all three.
 */
export function createClients(options: ClientOptions = {}): Clients {
  const instrument = options.instrument ?? (<T>(client: T) => client);
  const built: Partial<Clients> = {};
  const once = <K extends keyof Clients>(key: K, create: () => Clients[K]): Clients[K] => {
    built[key] ??= instrument(create());
    return built[key] as Clients[K];
  };
  return {
    get ec2() {
      return once('ec2', () => new EC2Client(configFor('ec2', options)));
    },
    get sns() {
      return once('sns', () => new SNSClient(configFor('sns', options)));
    },
    get sqs() {
      return once('sqs', () => new SQSClient(configFor('sqs', options)));
    },
  };
}

/** One EC2 client (another account's, another region's): the same settings as createClients. */
export function createEc2Client(options: ClientOptions = {}): EC2Client {
  const instrument = options.instrument ?? (<T>(client: T) => client);
  return instrument(new EC2Client(configFor('ec2', options)));
}

/** An STS client: the operator's GetCallerIdentity, and the hub's AssumeRole into member accounts (regional endpoint when given a region). */
export function createStsClient(options: ClientOptions = {}): STSClient {
  return new STSClient(configFor('sts', options));
}
