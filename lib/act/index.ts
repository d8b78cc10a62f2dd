import { disassociateProfile, requireImdsv2Tokens } from '../aws/ec2.js';
import type { Decision } from '../decide.js';
import { attachProfile } from './associate.js';
import type { ActDeps } from './deps.js';
import { detachThenAttach } from './detach-attach.js';
import { swapProfile } from './replace.js';

export type { ActDeps } from './deps.js';

/** Carries out a decision that writes. Throws the named error of the first call that failed. */
export async function carryOut(decision: Decision, deps: ActDeps): Promise<void> {
  const { action, instanceId } = decision;
  switch (action.kind) {
    case 'associate':
      await attachProfile(deps, instanceId, action.to);
      break;
    case 'replace':
      await swapProfile(deps, instanceId, action.associationId, action.to);
      break;
    case 'detach-attach':
      await detachThenAttach(deps, instanceId, action.associationId, action.from, action.to);
      break;
    case 'disassociate':
      await disassociateProfile(deps.ec2, instanceId, action.associationId, deps.deadline);
      break;
    default:
      break;
  }
  if (decision.enforceImdsv2) await requireImdsv2Tokens(deps.ec2, instanceId, { enableEndpoint: decision.enableImdsEndpoint }, deps.deadline);
}
