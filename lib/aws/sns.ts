import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import type { CallScope } from './ec2.js';
import { sendTranslated, translatorFor } from './errors.js';
import { operation } from './operations.js';

export const SNS_OPERATIONS = {
  // The report topic is encrypted with a customer managed key: publishing needs the key too.
  publish: operation('sns:Publish', ['sns:Publish', 'kms:GenerateDataKey', 'kms:Decrypt']),
} as const;

export type PublishInput = Pick<PublishCommandInput, 'TopicArn' | 'Subject' | 'Message' | 'MessageStructure' | 'MessageAttributes'>;

export async function publish(sns: SNSClient, input: PublishInput, scope: CallScope = {}): Promise<void> {
  await sendTranslated(() => sns.send(new PublishCommand(input), { abortSignal: scope.signal }), translatorFor(SNS_OPERATIONS.publish));
}
