import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { literalizeSchemaKeys, literalSchemaKeys, SCHEMA_FILE } = require('../../scripts/esbuild-plugins.cjs') as {
  literalizeSchemaKeys: (source: string) => string;
  literalSchemaKeys: Plugin;
  SCHEMA_FILE: RegExp;
};

const ROOT = join(import.meta.dirname, '..', '..');
const SDK = join(ROOT, 'node_modules', '@aws-sdk');

describe('literalizeSchemaKeys', () => {
  it('writes a computed key naming a string constant of the file as that string', () => {
    const source = ['const _xN = "xmlName";', 'const n0 = "com.amazonaws.ec2";', 'export var A$ = [3, n0, "A", 0, [_xN], [[0, { [_xN]: _xN }]]];'].join('\n');
    expect(literalizeSchemaKeys(source)).toBe(
      ['const _xN = "xmlName";', 'const n0 = "com.amazonaws.ec2";', 'export var A$ = [3, n0, "A", 0, [_xN], [[0, { "xmlName": _xN }]]];'].join('\n'),
    );
  });

  it('leaves a computed key it cannot prove is a plain string as written', () => {
    const source = [
      'const _a = "a";',
      'let _b = "b";',
      'const _c = `c${x}`;',
      'const _d = "d\\"";',
      'x = { [_b]: 1, [_c]: 2, [_d]: 3, [_e]: 4, [_a]: 5 };',
    ].join('\n');
    expect(literalizeSchemaKeys(source)).toBe(source.replace('[_a]:', '"a":'));
  });

  it('rewrites only keys that open a property, and never into a __proto__ key', () => {
    const source = ['const _a = "a";', 'const _p = "__proto__";', 'y = c ? [_a]: b;', 'switch (k) { case [_a]: }', 'x = {[_a]: 1,\n  [_a]: 2, [_p]: 3 };'].join(
      '\n',
    );
    expect(literalizeSchemaKeys(source)).toBe(source.replace('{[_a]: 1', '{"a": 1').replace('  [_a]: 2', '  "a": 2'));
  });

  it('changes nothing in a file that declares a constant twice', () => {
    const source = 'const _a = "a";\nconst _a = "b";\nx = { [_a]: 1 };';
    expect(literalizeSchemaKeys(source)).toBe(source);
  });

  it('applies to the SDK schema files only', () => {
    expect(SCHEMA_FILE.test('/x/node_modules/@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js')).toBe(true);
    expect(SCHEMA_FILE.test('/x/node_modules/@aws-sdk/nested-clients/dist-es/submodules/sts/schemas/schemas_0.js')).toBe(true);
    expect(SCHEMA_FILE.test('/x/node_modules/@aws-sdk/client-ec2/dist-cjs/schemas/schemas_0.js')).toBe(false);
    expect(SCHEMA_FILE.test('/x/lib/report/schemas_0.js')).toBe(false);
  });
});

/** Every schema file of the SDK packages the bundles can contain: our clients and the nested ones the credential chain uses. */
function shippedSchemaFiles(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const packages = [...Object.keys(pkg.dependencies).filter((name) => name.startsWith('@aws-sdk/client-')), '@aws-sdk/nested-clients'];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (SCHEMA_FILE.test(path)) found.push(path);
    }
  };
  for (const name of packages) walk(join(SDK, name.slice('@aws-sdk/'.length), 'dist-es'));
  return found;
}

/** A CommonJS bundle of the module, with or without the plugin: its text and its evaluated exports. */
async function evaluate(file: string, plugins: Plugin[]): Promise<{ text: string; exports: Record<string, unknown> }> {
  const out = await build({
    stdin: { contents: `export * from ${JSON.stringify(file)};`, resolveDir: ROOT },
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    mainFields: ['module', 'main'],
    plugins,
    logLevel: 'silent',
  });
  const text = out.outputFiles[0]?.text ?? '';
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', text)(module, module.exports, require);
  return { text, exports: module.exports };
}

/**
 * Structural equality of two schema graphs: thunks (`() => X$`) are followed, classes compare by
 * name, Maps by entries; a pair already under comparison is assumed equal (the graphs are cyclic).
 */
function sameSchema(a: unknown, b: unknown, path: string, seen = new Map<unknown, unknown>()): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`;
  if (typeof a === 'function' && typeof b === 'function') {
    const [fa, fb] = [a as () => unknown, b as () => unknown];
    const isClass = (f: () => unknown) => /^class\b/.test(Function.prototype.toString.call(f));
    if (isClass(fa) || isClass(fb) || fa.length > 0) return fa.name === fb.name ? undefined : `${path}: ${fa.name} vs ${fb.name}`;
    return sameSchema(fa(), fb(), `${path}()`, seen);
  }
  if (typeof a !== 'object' || a === null || b === null) return `${path}: ${String(a)} vs ${String(b)}`;
  if (seen.get(a) === b) return undefined;
  seen.set(a, b);
  if (a instanceof Map && b instanceof Map) return sameSchema([...a.entries()], [...b.entries()], `${path}<map>`, seen);
  const keysA = Object.keys(a);
  const keysB = Object.keys(b as object);
  if (keysA.join('\0') !== keysB.join('\0')) return `${path}: keys ${keysA.join(',')} vs ${keysB.join(',')}`;
  for (const key of keysA) {
    const problem = sameSchema((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`, seen);
    if (problem) return problem;
  }
  return undefined;
}

describe('the literal-schema-keys plugin on the SDK we ship', () => {
  const files = shippedSchemaFiles();

  it('finds the schema files of every client we depend on', () => {
    for (const client of ['client-ec2', 'client-sns', 'client-sqs', 'client-sts', 'client-securityhub', 'client-organizations']) {
      expect(files.some((f) => f.includes(`${client}/`))).toBe(true);
    }
  });

  // The rewrite must be invisible: every exported schema, followed through its thunks, is the same.
  it.each(files.map((f) => [f.slice(SDK.length + 1)]))('leaves %s deep-equal to the original', { timeout: 20_000 }, async (relative) => {
    const file = join(SDK, relative);
    const [original, rewritten] = await Promise.all([evaluate(file, []), evaluate(file, [literalSchemaKeys])]);
    // The plugin did rewrite this file (a filter that stopped matching would make the check below vacuous)…
    expect(rewritten.text).not.toBe(original.text);
    expect(Object.keys(rewritten.exports).length).toBeGreaterThan(0);
    // …and what it built is the same schema graph.
    expect(sameSchema(original.exports, rewritten.exports, relative)).toBeUndefined();
  });
});
