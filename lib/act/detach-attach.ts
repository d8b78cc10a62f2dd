import { disassociateProfile } from '../aws/ec2.js';
import { deadlineIn } from '../deadline.js';
import { AttachAfterDetachFailedError, describeError } from '../errors.js';
import { attachProfile } from './associate.js';
import type { ActDeps } from './deps.js';

/**
 * Replace is rejected on stopped instances, so detach, then attach. If the attach fails after
 * the detach (the network dropped, IAM refused), the old profile is put back so the instance is
 * not silently left with nothing, and the error says what it wears now; the retry (or the next
 * sweep) tries the swap again.
 */
/** Putting the old profile back gets this long of its own: the work deadline may be what stopped the attach. */
const RESTORE_BUDGET_MS = 5_000;

export async function detachThenAttach(deps: ActDeps, instanceId: string, associationId: string, from: string, to: string): Promise<void> {
  await disassociateProfile(deps.ec2, instanceId, associationId, deps.deadline);
  try {
    await attachProfile(deps, instanceId, to, { afterDisassociate: true });
  } catch (attachError) {
    const why = describeError(attachError);
    try {
      // A whole deadline of its own, time left included: the backoff between attempts reads msLeft().
      await attachProfile({ ...deps, deadline: deadlineIn(RESTORE_BUDGET_MS) }, instanceId, from, { afterDisassociate: true });
    } catch (restoreError) {
      throw new AttachAfterDetachFailedError(
        `detached ${from} but attaching ${to} failed (${why.name}: ${why.message}) and putting ${from} back failed too (${describeError(restoreError).message}): the instance has NO profile now; a retry or the next sweep attaches ${to}`,
        undefined,
        true, // an instance with nothing on it must be finished by a retry
        { cause: attachError },
      );
    }
    throw new AttachAfterDetachFailedError(
      `attaching ${to} failed after detaching ${from} (${why.name}: ${why.message}); ${from} was put back, so the instance wears ${from} as before${why.retryable ? '; a retry will swap it' : ''}`,
      from,
      why.retryable,
      { cause: attachError },
    );
  }
}
