import { describe, expect, it } from 'vitest';
import { runDemo } from '../../scripts/demo.js';

describe('npm run demo', () => {
  it('ends with every instance wearing what the mapping says, and shows the notifications', async () => {
    const lines: string[] = [];
    const { after, labels } = await runDemo((line) => lines.push(line));

    const byLabel = Object.fromEntries(Object.entries(after).map(([id, profile]) => [labels[id], profile]));
    expect(byLabel).toEqual({
      'missing profile': 'WebProfile',
      'wrong profile, running': 'WebProfile',
      'right profile': 'WebProfile',
      'opted out': null,
      quarantined: null,
      'wrong profile, stopped': 'BatchProfile',
      'payments prod (+IMDSv2)': 'PaymentsProdProfile',
      'unmatched (default)': 'BaselineSsmProfile',
    });
    const output = lines.join('\n');
    expect(output).toContain("(profile-guard's own AssociateIamInstanceProfile call was put too; no rule matched it)");
    expect(output).toContain('profile-guard: 6 fixed, 1 ok, 1 skipped');
    expect(output).toMatch(/profile-guard-demo-profile-drift delivered ReplaceIamInstanceProfileAssociation -> accepted, 1 instance\(s\), report published/);
    expect(output).toMatch(/demo finished in \d+\.\ds; stopping the emulator\./);
  });
});
