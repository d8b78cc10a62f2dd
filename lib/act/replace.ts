import { ReplaceIamInstanceProfileAssociationCommand } from '@aws-sdk/client-ec2';
import { ProfileNotVisibleError } from '../errors.js';
import { withBackoff } from '../retry.js';
import type { ActDeps } from './deps.js';
import { translateEc2Error } from './ec2-errors.js';

export const replacePermissions = ['ec2:ReplaceIamInstanceProfileAssociation', 'iam:PassRole'] as const;

/** Atomic swap on a running instance: it is never without credentials. */
export async function replaceProfile(deps: ActDeps, instanceId: string, associationId: string, profile: string): Promise<void> {
  await withBackoff(
    async () => {
      try {
        await deps.ec2.send(new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: associationId, IamInstanceProfile: { Name: profile } }));
      } catch (error) {
        throw translateEc2Error(error, { operation: 'ReplaceIamInstanceProfileAssociation', instanceId, profile });
      }
    },
    (error) => error instanceof ProfileNotVisibleError,
    deps.backoff,
  );
}
