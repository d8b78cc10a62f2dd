import { ModifyInstanceMetadataOptionsCommand } from '@aws-sdk/client-ec2';
import type { ActDeps } from './deps.js';
import { callEc2 } from './send.js';

export const imdsv2Permissions = ['ec2:ModifyInstanceMetadataOptions'] as const;

export async function requireImdsv2(deps: ActDeps, instanceId: string): Promise<void> {
  // HttpEndpoint is sent with HttpTokens so an instance with the endpoint disabled ends up usable with v2.
  await callEc2(() => deps.ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: instanceId, HttpTokens: 'required', HttpEndpoint: 'enabled' })), {
    operation: 'ModifyInstanceMetadataOptions',
    instanceId,
  });
}
