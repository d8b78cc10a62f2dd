import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every .ts file under a folder, as [path, source]. */
function sources(dir: string): [string, string][] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [[path, readFileSync(path, 'utf8')] as [string, string]] : [];
  });
}

const lib = sources('lib');
const importsOf = (source: string) =>
  [...source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)].map((m) => ({ typeOnly: Boolean(m[1]), from: m[2] as string }));

// The invariants ARCHITECTURE.md states, checked so they stay true.
describe('architecture', () => {
  it('sends to AWS only from lib/aws: elsewhere the SDK is only a type', () => {
    const offenders = lib
      .filter(([path]) => !path.startsWith(join('lib', 'aws')))
      .flatMap(([path, source]) => [
        ...importsOf(source)
          .filter((i) => i.from.startsWith('@aws-sdk/client-') && !i.typeOnly)
          .map((i) => `${path} imports ${i.from}`),
        ...(/\.send\(/.test(source) ? [`${path} calls send`] : []),
      ]);
    expect(offenders).toEqual([]);
  });

  it('keeps the decision pure: decide, the mapping and exceptions import no AWS code', () => {
    const pure = lib.filter(([path]) => path === join('lib', 'decide.ts') || path === join('lib', 'exceptions.ts') || path.startsWith(join('lib', 'mapping')));
    expect(pure.length).toBeGreaterThan(3);
    const offenders = pure.flatMap(([path, source]) =>
      importsOf(source)
        .filter((i) => i.from.startsWith('@aws-sdk') || i.from.includes('/aws/'))
        .map((i) => `${path} imports ${i.from}`),
    );
    expect(offenders).toEqual([]);
  });

  it('never imports upward: lib does not import functions, scripts or tests', () => {
    const offenders = lib.flatMap(([path, source]) =>
      importsOf(source)
        .filter((i) => /(^|\/)(functions|scripts|tests)\//.test(i.from) && i.from.startsWith('.'))
        .map((i) => `${relative('.', path)} imports ${i.from}`),
    );
    expect(offenders).toEqual([]);
  });
});
