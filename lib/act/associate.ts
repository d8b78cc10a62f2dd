import { associateProfile } from '../aws/ec2.js';
import { AssociationRaceError, ProfileNotVisibleError } from '../errors.js';
import { withBackoff } from '../retry.js';
import type { ActDeps } from './deps.js';

export interface AssociateOptions {
  /** Set right after our own disassociate: EC2 may still report the old association for a moment. */
  afterDisassociate?: boolean;
}

export async function attachProfile(deps: ActDeps, instanceId: string, profile: string, options: AssociateOptions = {}): Promise<void> {
  // IAM is eventually consistent: a profile created seconds ago is "invalid" to EC2 for a little while.
  const when = (error: unknown) => error instanceof ProfileNotVisibleError || (options.afterDisassociate === true && error instanceof AssociationRaceError);
  await withBackoff(() => associateProfile(deps.ec2, instanceId, profile, deps.deadline), when, deps.backoff, deps.deadline);
}
