import { ReplaceIamInstanceProfileAssociationCommand } from '@aws-sdk/client-ec2';
import { ProfileNotVisibleError } from '../errors.js';
import type { ActDeps } from './deps.js';
import { callEc2 } from './send.js';

export const replacePermissions = ['ec2:ReplaceIamInstanceProfileAssociation', 'iam:PassRole'] as const;

/** Atomic swap on a running instance: it is never without credentials. */
export async function replaceProfile(deps: ActDeps, instanceId: string, associationId: string, profile: string): Promise<void> {
  await callEc2(
    () => deps.ec2.send(new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: associationId, IamInstanceProfile: { Name: profile } })),
    { operation: 'ReplaceIamInstanceProfileAssociation', instanceId, profile },
    { when: (error) => error instanceof ProfileNotVisibleError, backoff: deps.backoff },
  );
}
