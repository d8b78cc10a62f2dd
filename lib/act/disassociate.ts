import { DisassociateIamInstanceProfileCommand } from '@aws-sdk/client-ec2';
import type { ActDeps } from './deps.js';
import { callEc2 } from './send.js';

export const disassociatePermissions = ['ec2:DisassociateIamInstanceProfile'] as const;

export async function disassociateProfile(deps: ActDeps, instanceId: string, associationId: string): Promise<void> {
  await callEc2(() => deps.ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: associationId })), { operation: 'DisassociateIamInstanceProfile', instanceId });
}
