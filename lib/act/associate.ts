import { AssociateIamInstanceProfileCommand } from '@aws-sdk/client-ec2';
import { AssociationRaceError, ProfileNotVisibleError } from '../errors.js';
import { withBackoff } from '../retry.js';
import type { ActDeps } from './deps.js';
import { translateEc2Error } from './ec2-errors.js';

export const associatePermissions = ['ec2:AssociateIamInstanceProfile', 'iam:PassRole'] as const;

export interface AssociateOptions {
  /** Set right after our own disassociate: EC2 may still report the old association for a moment. */
  afterDisassociate?: boolean;
}

export async function associateProfile(deps: ActDeps, instanceId: string, profile: string, options: AssociateOptions = {}): Promise<void> {
  // IAM is eventually consistent: a profile created seconds ago is "invalid" to EC2 for a little while.
  const retryWhen = (error: unknown) =>
    error instanceof ProfileNotVisibleError || (options.afterDisassociate === true && error instanceof AssociationRaceError);
  await withBackoff(
    async () => {
      try {
        await deps.ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Name: profile } }));
      } catch (error) {
        throw translateEc2Error(error, { operation: 'AssociateIamInstanceProfile', instanceId, profile });
      }
    },
    retryWhen,
    deps.backoff,
  );
}
