import { replaceAssociation } from '../aws/ec2.js';
import { ProfileNotVisibleError } from '../errors.js';
import { withBackoff } from '../retry.js';
import type { ActDeps } from './deps.js';

/** Atomic swap on a running instance: it is never without credentials. */
export async function swapProfile(deps: ActDeps, instanceId: string, associationId: string, profile: string): Promise<void> {
  await withBackoff(
    () => replaceAssociation(deps.ec2, instanceId, associationId, profile, deps.deadline),
    (error) => error instanceof ProfileNotVisibleError,
    deps.backoff,
    deps.deadline,
  );
}
