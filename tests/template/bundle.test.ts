import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const zip = join(dirname(inject('templateFile')), 'remediate.zip');
const python = (code: string) => execFileSync('python3', ['-c', code, zip], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const entries = python('import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))').trim().split('\n');
const bundle = python('import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read("functions/remediate.js").decode())');

describe('the remediate bundle', () => {
  it('holds the handler and the mapping, nothing else', () => {
    expect(entries.sort()).toEqual(['functions/remediate.js', 'mapping.yaml']);
  });

  it('keeps error class names through minification (they are in every report)', () => {
    const names = ['PermissionDeniedError', 'ProfileNotVisibleError', 'InstanceNotReadyError', 'RetryableFailuresError'];
    expect(names.filter((name) => !bundle.includes(`"${name}"`))).toEqual([]);
  });

  it('bundles the AWS SDK instead of relying on the runtime copy', () => {
    const external = [...bundle.matchAll(/require\("(@aws-sdk\/client-[^"]+|@aws-lambda-powertools\/[^"]+)"\)/g)].map((m) => m[1]);
    expect(external).toEqual([]);
    expect(bundle.includes('AssociateIamInstanceProfile')).toBe(true);
  });

  // scripts/esbuild-plugins.cjs: without it esbuild keeps every EC2 schema (542 KiB) for the six operations we send.
  it('carries the SDK schemas of the operations it sends, not the rest of EC2', () => {
    expect(bundle.includes('"DescribeInstances"')).toBe(true);
    expect(bundle.includes('AcceptVpcPeeringConnection')).toBe(false);
    expect(bundle.includes('CreateVpnConnection')).toBe(false);
  });

  // Parse and compile time grow with size; 1,574 KiB before the schema fix, about 1,000 KiB after.
  it('stays under its size budget of 1,200 KiB', () => {
    expect(Buffer.byteLength(bundle) / 1024).toBeLessThan(1200);
  });
});
