import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { sendTranslated, translateAwsError } from './errors.js';
import { operation } from './operations.js';

export const STS_OPERATIONS = {
  // Always allowed by AWS (no policy can deny it); declared so the operator policy says what the CLI calls.
  callerIdentity: operation('sts:GetCallerIdentity'),
} as const;

export async function callerAccount(sts: STSClient): Promise<string> {
  const { Account } = await sendTranslated(
    () => sts.send(new GetCallerIdentityCommand({})),
    (error) => translateAwsError(error, { operation: 'sts:GetCallerIdentity' }),
  );
  if (!Account || !/^\d{12}$/.test(Account))
    throw translateAwsError(new Error(`STS returned no account id (${Account ?? 'none'})`), { operation: 'sts:GetCallerIdentity' });
  return Account;
}
