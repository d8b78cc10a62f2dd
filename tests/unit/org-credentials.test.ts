import { describe, expect, it } from 'vitest';
import { type CredentialSource, createTargetAccess, type TargetCredentials } from '../../lib/aws/credentials.js';

/** Credentials that expire an hour after the (injected) clock says they were issued; counts AssumeRole. */
function hourlySource(now: () => number): CredentialSource & { calls: number } {
  const source = {
    calls: 0,
    async assumeRole(): Promise<TargetCredentials> {
      source.calls++;
      return { accessKeyId: `ASIA${source.calls}`, secretAccessKey: 's', sessionToken: 't', expiration: new Date(now() + 3_600_000) };
    },
  };
  return source;
}

describe('member credentials', () => {
  const target = { account: '111111111111', region: 'eu-west-1' };

  it('are reused while fresh and renewed once, 5 minutes before they expire', async () => {
    let now = 0;
    const source = hourlySource(() => now);
    const access = createTargetAccess({ hubAccount: '123456789012', sessionName: 'fn', source, clock: () => now });
    const first = await access.credentialsFor(target);
    now = 3_600_000 - 5 * 60_000 - 1; // just before the refresh window
    expect(await access.credentialsFor(target)).toBe(first);
    now += 1; // inside it: renewed, by many callers at once, with one AssumeRole
    const renewed = await Promise.all(Array.from({ length: 10 }, () => access.credentialsFor(target)));
    expect(new Set(renewed.map((c) => c.accessKeyId))).toEqual(new Set(['ASIA2']));
    expect(source.calls).toBe(2);
    expect(access.stats.assumeRoleCalls).toBe(2);
  });

  it('one account shares its credentials across regions; each region has its own cached EC2 client', async () => {
    const source = hourlySource(Date.now);
    const access = createTargetAccess({ hubAccount: '123456789012', sessionName: 'fn', source });
    const a = await access.ec2For(target);
    const b = await access.ec2For({ ...target, region: 'us-east-1' });
    expect(a).not.toBe(b);
    expect(await access.ec2For(target)).toBe(a);
    expect(source.calls).toBe(1);
    expect(await a.config.region()).toBe('eu-west-1');
  });

  it('a failed AssumeRole is not cached: the next call asks again', async () => {
    let calls = 0;
    const source: CredentialSource = {
      async assumeRole() {
        calls++;
        throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
      },
    };
    const access = createTargetAccess({ hubAccount: '123456789012', sessionName: 'fn', source });
    await expect(access.credentialsFor(target)).rejects.toMatchObject({ name: 'MemberRoleDeniedError', retryable: false });
    await expect(access.credentialsFor(target)).rejects.toMatchObject({ name: 'MemberRoleDeniedError' });
    expect(calls).toBe(2);
  });

  it('builds the role ARN in the given partition and keeps the session name inside what STS accepts', async () => {
    const seen: string[] = [];
    const source: CredentialSource = {
      async assumeRole(input) {
        seen.push(input.roleArn, input.sessionName);
        return { accessKeyId: 'a', secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + 3_600_000) };
      },
    };
    const access = createTargetAccess({ hubAccount: '123456789012', partition: 'aws-cn', sessionName: 'profile guard/cli', source });
    await access.credentialsFor(target);
    expect(seen).toEqual(['arn:aws-cn:iam::111111111111:role/profile-guard-member', 'profile-guard-cli']);
  });
});
