import { describe, expect, it } from 'vitest';
import type { Io } from '../../lib/cli/context.js';
import { validateCommand } from '../../lib/cli/validate.js';
import { cli } from '../helpers/cli.js';

/** What an operator would see on each stream. */
function run(file: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), isInteractive: false, ask: async () => '' };
  const code = validateCommand(file, io);
  return { code, out, err };
}

describe('profile-guard validate', () => {
  it('prints confused-deputy warnings on stderr, each prefixed "warning:", and still exits 0', () => {
    const { code, out, err } = run('tests/fixtures/mappings/deputy.yaml');
    expect(code).toBe(0);
    expect(out[0]).toBe('tests/fixtures/mappings/deputy.yaml: valid: 2 rules, default BaselineSsmProfile, onWrongProfile replace');
    expect(err).toHaveLength(3);
    expect(err[0]).toMatch(/^warning: rule 0 "web" attaches WebProfile on tags anyone allowed to launch or tag instances can set \(app\)/);
    expect(err[1]).toMatch(/^warning: rule 1 "any-asg" attaches OpsProfile/);
    expect(err[2]).toMatch(/^warning: default attaches BaselineSsmProfile to every instance no rule matches/);
  });

  it('is silent on stderr for a mapping anchored on aws: system tags and networks', () => {
    const { code, out, err } = run('tests/fixtures/mappings/anchored.yaml');
    expect(code).toBe(0);
    expect(out[1]).toBe('profiles the deployed policy will allow: WebProfile, PaymentsProfile, BatchProfile');
    expect(err).toEqual([]);
  });

  it('exits 2 with the problems, and no warnings, for an invalid mapping', () => {
    const { code, out, err } = run('tests/fixtures/mappings/shadowed.yaml');
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([expect.stringMatching(/^tests\/fixtures\/mappings\/shadowed\.yaml: invalid mapping:\n {2}- rule 1 "web-payments": unreachable/)]);
  });

  it('behaves the same through the command line parser', async () => {
    const result = await cli(['validate', 'tests/fixtures/mappings/deputy.yaml']);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').every((line) => line.startsWith('warning: '))).toBe(true);
  });
});
