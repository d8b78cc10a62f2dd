import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { type AssumeRoleInput, type CredentialSource, MEMBER_ROLE_NAME, stsCredentialSource } from '../../lib/aws/credentials.js';
import type { Mapping } from '../../lib/mapping/schema.js';
import { createProfiles } from '../../support/world.js';

export const HUB = '123456789012';

/** What the test (not the code under test) uses to set up a member account on moto: the member's own credentials. */
export async function memberClients(account: string, region: string): Promise<{ ec2: EC2Client; iam: IAMClient }> {
  const sts = new STSClient({ region });
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/test-setup`, RoleSessionName: 'test-setup' }));
  const credentials = { accessKeyId: c?.AccessKeyId as string, secretAccessKey: c?.SecretAccessKey as string, sessionToken: c?.SessionToken as string };
  return { ec2: new EC2Client({ region, credentials }), iam: new IAMClient({ region, credentials }) };
}

/** A member account with the mapped profiles (IAM is global per account), ready for instances in any region. */
export async function createMember(account: string, mapping: Mapping, region = 'us-east-1'): Promise<void> {
  const { iam } = await memberClients(account, region);
  await createProfiles(iam, mapping, ['AdminProfile']);
}

/**
 * The real STS source (moto's AssumeRole works into any account), with failures injected per
 * account: moto enforces neither trust policies nor SCPs. Counts what reaches STS.
 */
export function faultySource(denied: ReadonlySet<string> = new Set()): CredentialSource & { calls: AssumeRoleInput[] } {
  const real = stsCredentialSource();
  const calls: AssumeRoleInput[] = [];
  return {
    calls,
    async assumeRole(input, scope) {
      calls.push(input);
      const account = input.roleArn.split(':')[4] ?? '';
      if (denied.has(account)) {
        throw Object.assign(
          new Error(`User: arn:aws:sts::${HUB}:assumed-role/hub is not authorized to perform: sts:AssumeRole on resource: ${input.roleArn}`),
          { name: 'AccessDenied' },
        );
      }
      return real.assumeRole(input, scope);
    },
  };
}

export const memberRoleArn = (account: string) => `arn:aws:iam::${account}:role/${MEMBER_ROLE_NAME}`;
