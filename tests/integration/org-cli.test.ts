import { describe, expect, it } from 'vitest';
import type { CredentialSource } from '../../lib/aws/credentials.js';
import type { Io } from '../../lib/cli/context.js';
import { run } from '../../lib/cli/main.js';
import { loadMappingFile } from '../../lib/mapping/load.js';
import { type Report, reportSchema } from '../../lib/report/schema.js';
import { launchOne, profilesOf } from '../../support/world.js';
import { useWorld } from '../helpers/aws-world.js';
import { createMember, faultySource, memberClients, memberRoleArn } from './org-world.js';

const A = '111111111111';
const B = '222222222222';

async function cli(args: string[], credentialSource: CredentialSource) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), isInteractive: false, ask: async () => '' };
  const code = await run(args, io, { credentialSource });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The JSON blocks --json prints, one per target (each starts at the beginning of a line). */
const blocks = (stdout: string): Report[] => stdout.split(/\n(?=\{)/).map((block) => reportSchema.parse(JSON.parse(block)));

describe('profile-guard plan/apply across accounts and regions on moto', () => {
  useWorld();

  it('plan --account A,B --regions r1,r2 --json: four blocks, an error line per unreachable target, exit 1', async () => {
    await createMember(A, loadMappingFile('mapping.yaml'));
    const west = await launchOne((await memberClients(A, 'eu-west-1')).ec2, { tags: { app: 'web-a' } });
    const source = faultySource(new Set([B]));

    const result = await cli(['plan', '--account', `${A},${B}`, '--regions', 'eu-west-1,us-west-2', '--json'], source);

    expect(result.code).toBe(1);
    const reports = blocks(result.stdout);
    expect(reports.map((r) => `${r.account}/${r.region}:${r.outcome}`)).toEqual([
      `${A}/eu-west-1:changed`,
      `${A}/us-west-2:none`,
      `${B}/eu-west-1:failed`,
      `${B}/us-west-2:failed`,
    ]);
    expect(reports[0]?.results).toEqual([expect.objectContaining({ instanceId: west, outcome: 'planned', to: 'WebProfile' })]);
    const errors = result.stderr.split('\n').filter((line) => line.includes('unreachable'));
    expect(errors).toEqual([
      expect.stringContaining(`${B} eu-west-1: unreachable: MemberRoleDeniedError`),
      expect.stringContaining(`${B} us-west-2: unreachable: MemberRoleDeniedError`),
    ]);
    expect(errors[0]).toContain(memberRoleArn(B));
    // One AssumeRole per account, whatever the number of regions (the denied one is asked again: a fix may have landed).
    expect(source.calls.filter((c) => c.roleArn === memberRoleArn(A))).toHaveLength(1);
  });

  it('apply --yes --account A --regions r1,r2 fixes the member instances and prints one table per target', async () => {
    await createMember(A, loadMappingFile('mapping.yaml'));
    const ids = { 'eu-west-1': '', 'us-west-2': '' } as Record<string, string>;
    for (const region of Object.keys(ids)) ids[region] = await launchOne((await memberClients(A, region)).ec2, { tags: { app: 'web-a' } });

    const result = await cli(['apply', '--yes', '--account', A, '--regions', 'eu-west-1,us-west-2'], faultySource());

    expect(result.code).toBe(0);
    for (const [region, id] of Object.entries(ids)) expect(await profilesOf((await memberClients(A, region)).ec2, [id])).toEqual({ [id]: 'WebProfile' });
    // Per target: the plan's table, then the report's.
    expect(result.stdout.match(/^INSTANCE/gm)).toHaveLength(4);
    for (const region of Object.keys(ids)) expect(result.stdout).toContain(`Account:  ${A}\nRegion:   ${region}`);
  });

  it('refuses bad account ids, regions and role names with exit 2 before any call', async () => {
    const source = faultySource();
    const result = await cli(['plan', '--account', '12345,111111111111', '--regions', 'Europe', '--role', 'a b'], source);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'profile-guard: --account: "12345" is not a 12-digit account id; --regions: "Europe" is not a region; --role: "a b" is not an IAM role name',
    );
    expect(source.calls).toHaveLength(0);
  });
});
