import type { Decision } from '../decide.js';
import { associatePermissions, associateProfile } from './associate.js';
import type { ActDeps } from './deps.js';
import { disassociatePermissions, disassociateProfile } from './disassociate.js';
import { imdsv2Permissions, requireImdsv2 } from './imdsv2.js';
import { replacePermissions, replaceProfile } from './replace.js';

export type { ActDeps } from './deps.js';

/** Every IAM action the act layer can call; tests hold the generated policy to exactly this list. */
export const ACT_PERMISSIONS = {
  associate: associatePermissions,
  replace: replacePermissions,
  disassociate: disassociatePermissions,
  imdsv2: imdsv2Permissions,
} as const;

/** Carries out a decision that writes. Throws the named error of the first call that failed. */
export async function carryOut(decision: Decision, deps: ActDeps): Promise<void> {
  const { action, instanceId } = decision;
  switch (action.kind) {
    case 'associate':
      await associateProfile(deps, instanceId, action.to);
      break;
    case 'replace':
      await replaceProfile(deps, instanceId, action.associationId, action.to);
      break;
    case 'detach-attach':
      await disassociateProfile(deps, instanceId, action.associationId);
      await associateProfile(deps, instanceId, action.to, { afterDisassociate: true });
      break;
    case 'disassociate':
      await disassociateProfile(deps, instanceId, action.associationId);
      break;
    default:
      break;
  }
  if (decision.enforceImdsv2) await requireImdsv2(deps, instanceId);
}
