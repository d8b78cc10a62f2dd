/**
 * The floor for the cold-start bench (scripts/bench/coldstart.ts): what any remediate bundle must
 * load to do its job at all, built exactly as the service is. The EC2 client with the operations
 * an event sends, the SNS client that reports, the Logger and the Tracer that wraps the clients.
 * No validation, no mapping, no metrics: the service cannot load less than this and still work,
 * so its overhead ratio cannot go below this bundle's without moving the work into the first
 * invocation (which the cold start pays all the same). Never imported by the service.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import {
  AssociateIamInstanceProfileCommand,
  DescribeInstancesCommand,
  DisassociateIamInstanceProfileCommand,
  EC2Client,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

export const logger = new Logger({ serviceName: 'floor' });
export const tracer = new Tracer({ serviceName: 'floor' });
export const commands = [
  DescribeInstancesCommand,
  AssociateIamInstanceProfileCommand,
  ReplaceIamInstanceProfileAssociationCommand,
  DisassociateIamInstanceProfileCommand,
  PublishCommand,
];
export const ec2 = tracer.captureAWSv3Client(new EC2Client({}));
export const sns = tracer.captureAWSv3Client(new SNSClient({}));
