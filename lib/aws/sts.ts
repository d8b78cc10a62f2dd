import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { isAccount } from '../events/fields.js';
import { sendTranslated, translatorFor } from './errors.js';
import { operation } from './operations.js';

export const STS_OPERATIONS = {
  // Always allowed by AWS (no policy can deny it); declared so the operator policy says what the CLI calls.
  callerIdentity: operation('sts:GetCallerIdentity'),
} as const;

export async function callerAccount(sts: STSClient): Promise<string> {
  const translate = translatorFor(STS_OPERATIONS.callerIdentity);
  const { Account } = await sendTranslated(() => sts.send(new GetCallerIdentityCommand({})), translate);
  if (!isAccount(Account)) throw translate(new Error(`STS returned no account id (${Account ?? 'none'})`));
  return Account;
}
