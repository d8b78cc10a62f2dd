import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { createOrganizationsClient, listAccountsUnder } from '../../lib/aws/accounts.js';
import { accountsToSweep, planTargets } from '../../lib/org/sweep.js';
import { useWorld } from '../helpers/aws-world.js';

describe("the target OUs' accounts from Organizations on moto", () => {
  useWorld();

  it('lists nested OUs once each, leaves out suspended accounts, and plans account × region from what is active', async () => {
    const org = new OrganizationsClient({ region: 'us-east-1' });
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id as string;
    const ou = async (parent: string, name: string) =>
      (await org.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: name }))).OrganizationalUnit?.Id as string;
    const account = async (name: string, parent: string) => {
      const id = (await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }))).CreateAccountStatus?.AccountId as string;
      await org.send(new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: parent }));
      return id;
    };
    const workloads = await ou(rootId, 'workloads');
    const prod = await ou(workloads, 'prod');
    const sandbox = await ou(rootId, 'sandbox');
    const web = await account('web', workloads);
    const payments = await account('payments', prod);
    const closed = await account('closed', prod);
    await account('elsewhere', sandbox);
    await org.send(new CloseAccountCommand({ AccountId: closed }));

    const listed = await listAccountsUnder(createOrganizationsClient({ region: 'us-east-1' }), [workloads, prod]);

    expect(listed.map((a) => [a.name, a.ou, a.active]).sort()).toEqual([
      ['closed', prod, false],
      ['payments', prod, true],
      ['web', workloads, true],
    ]);
    const { accounts, suspended } = await accountsToSweep({ accounts: [], targetOus: [workloads], suspended: new Set() }, (ous) =>
      listAccountsUnder(createOrganizationsClient(), ous),
    );
    expect(accounts.sort()).toEqual([payments, web].sort());
    expect([...suspended]).toEqual([closed]);
    expect(planTargets(accounts, ['eu-west-1', 'us-east-1'], suspended)).toHaveLength(4);
  });

  it('a static account list wins and makes no Organizations call', async () => {
    const result = await accountsToSweep({ accounts: ['111111111111'], targetOus: ['ou-ab12-cdef3456'], suspended: new Set() }, async () => {
      throw new Error('must not be called');
    });
    expect(result.accounts).toEqual(['111111111111']);
  });

  it('a refused listing fails named, so the planner sweeps nothing it cannot vouch for', async () => {
    // No organization exists in this fresh moto state.
    await expect(listAccountsUnder(createOrganizationsClient({ region: 'us-east-1' }), ['ou-ab12-cdef3456'])).rejects.toMatchObject({
      message: expect.stringContaining('organizations:ListAccountsForParent'),
    });
  });
});
