import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface Clients {
  ec2: EC2Client;
  sns: SNSClient;
  sqs: SQSClient;
}

export interface ClientOptions {
  region?: string;
  /** Wraps each client (Powertools' tracer.captureAWSv3Client in Lambda). */
  instrument?: <T>(client: T) => T;
}

/**
 * Region and endpoint come from the usual AWS environment (AWS_REGION, AWS_ENDPOINT_URL,
 * profiles), so the same build runs against AWS or moto. Adaptive retry lets the SDK slow
 * down when EC2's token bucket runs dry, which EC2 shares with everything else in the account.
 */
export function createClients(options: ClientOptions = {}): Clients {
  const common = { ...(options.region ? { region: options.region } : {}), retryMode: 'adaptive', maxAttempts: 6 };
  const instrument = options.instrument ?? (<T>(client: T) => client);
  return {
    ec2: instrument(new EC2Client(common)),
    sns: instrument(new SNSClient({ ...common, maxAttempts: 4 })),
    sqs: instrument(new SQSClient({ ...common, maxAttempts: 4 })),
  };
}
