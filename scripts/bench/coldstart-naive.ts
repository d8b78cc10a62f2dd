/**
 * The yardstick for the cold-start bench (scripts/bench/coldstart.ts): what a straightforward
 * Lambda that needs EC2, IAM and SNS costs at module init. It imports the three clients, the
 * Powertools Logger and Tracer and constructs them all at the top level, as most handlers do.
 * Bundled on its own (minified CommonJS); never imported by the service.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';

export const logger = new Logger({ serviceName: 'naive' });
export const tracer = new Tracer({ serviceName: 'naive' });
export const ec2 = tracer.captureAWSv3Client(new EC2Client({}));
export const iam = tracer.captureAWSv3Client(new IAMClient({}));
export const sns = tracer.captureAWSv3Client(new SNSClient({}));
