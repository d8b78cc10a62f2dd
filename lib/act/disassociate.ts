import { DisassociateIamInstanceProfileCommand } from '@aws-sdk/client-ec2';
import type { ActDeps } from './deps.js';
import { translateEc2Error } from './ec2-errors.js';

export const disassociatePermissions = ['ec2:DisassociateIamInstanceProfile'] as const;

export async function disassociateProfile(deps: ActDeps, instanceId: string, associationId: string): Promise<void> {
  try {
    await deps.ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: associationId }));
  } catch (error) {
    throw translateEc2Error(error, { operation: 'DisassociateIamInstanceProfile', instanceId });
  }
}
