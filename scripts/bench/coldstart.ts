/**
 * Cold-start cost of the packaged remediate bundle, against a naive bundle of the same libraries
 * and against the floor (the least a remediate bundle must load: coldstart-floor.ts).
 * Overhead = process time of `node -e "require('<bundle>')"` minus `node -e 0`, in one run of
 * paired samples: each round runs the commands back to back (in a rotating order), so a machine
 * that gets busier or quieter shifts them all alike. Process time, not in-process require()
 * time: reading, compiling and evaluating the file are all part of a Lambda cold start.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { packageService, unzipFunction } from '../../support/package.js';

/** Samples per command (the issue asks for at least 15): a multiple of the 4 commands, so each takes each place in a round equally often. */
export const COLDSTART_ROUNDS = 24;
/** The goal: the bundle's init overhead at most this fraction of the naive bundle's. */
export const COLDSTART_GOAL = 0.4;

const NAIVE_ENTRY = fileURLToPath(new URL('./coldstart-naive.ts', import.meta.url));
const FLOOR_ENTRY = fileURLToPath(new URL('./coldstart-floor.ts', import.meta.url));
/** The service's own esbuild plugins (serverless.yml custom.esbuild.plugins). */
const SERVICE_PLUGINS = createRequire(import.meta.url)('../esbuild-plugins.cjs') as Plugin[];

/** The q-quantile of xs, interpolated between the nearest ranks. */
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const low = Math.floor(at);
  return (s[low] as number) + ((s[Math.ceil(at)] as number) - (s[low] as number)) * (at - low);
};
const median = (xs: number[]) => quantile(xs, 0.5);

/** The environment both bundles load in: Lambda-like, no tracing daemon, no log output. */
function probeEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
}

/** Packages the service as `serverless deploy` would and unzips the remediate handler. */
export function packagedRemediateBundle(dir: string): string {
  packageService('bench', {}, { dir });
  return unzipFunction(dir, 'remediate');
}

/** The naive bundle: minified CommonJS, the same SDK resolution as the service (module first), no plugins. */
export async function naiveBundle(dir: string): Promise<string> {
  return bundleOf(NAIVE_ENTRY, join(dir, 'naive', 'naive.js'), []);
}

/** The floor, built as the service is (its plugins too). */
export async function floorBundle(dir: string): Promise<string> {
  return bundleOf(FLOOR_ENTRY, join(dir, 'floor', 'floor.js'), SERVICE_PLUGINS);
}

async function bundleOf(entry: string, outfile: string, plugins: Plugin[]): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    keepNames: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    mainFields: ['module', 'main'],
    plugins,
    logLevel: 'silent',
  });
  return outfile;
}

/** Wall time of one fresh node process running `code`, in ms. */
function timeNode(code: string, env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, ['-e', code], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - start;
  if (run.status !== 0) throw new Error(`node -e ${code} failed: ${run.stderr.toString()}`);
  return elapsed;
}

/** Peak resident set size (MiB) of a fresh process once `file` is required. */
function peakRssMiB(file: string, env: NodeJS.ProcessEnv): number {
  // maxRSS is in KiB.
  const out = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(file)});process.stdout.write(String(process.resourceUsage().maxRSS))`], {
    env,
    encoding: 'utf8',
  });
  return Number(out) / 1024;
}

export interface ColdStartFigures {
  rounds: number;
  bundleMs: number;
  naiveMs: number;
  floorMs: number;
  baselineMs: number;
  bundleOverheadMs: number;
  naiveOverheadMs: number;
  floorOverheadMs: number;
  ratio: number;
  /** The middle half (25th to 75th percentile) of the per-round ratios, bundle / naive. */
  ratioSpread: [number, number];
  floorRatio: number;
  bundleRssMiB: number;
  naiveRssMiB: number;
  floorRssMiB: number;
  baselineRssMiB: number;
  bundleKiB: number;
  naiveKiB: number;
  floorKiB: number;
}

/** Measures three bundle files already on disk: `rounds` paired samples of each command. */
export function measureColdStart(bundle: string, naive: string, floor: string, rounds = COLDSTART_ROUNDS): ColdStartFigures {
  const env = probeEnv();
  const requireOf = (file: string) => `require(${JSON.stringify(file)})`;
  // The baseline is first: every overhead is paired with that round's `node -e 0`.
  const commands = ['0', requireOf(bundle), requireOf(naive), requireOf(floor)];
  const samples: number[][] = commands.map(() => []);
  // One unrecorded round warms the page cache for every file.
  for (const code of commands) timeNode(code, env);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < commands.length; k++) {
      const which = (round + k) % commands.length;
      samples[which]?.push(timeNode(commands[which] as string, env));
    }
  }
  const [baselineMs, bundleMs, naiveMs, floorMs] = samples.map(median) as [number, number, number, number];
  // Per-round overheads, paired with that round's baseline, then the median of each.
  const overhead = (i: number) => median(samples[i]?.map((t, round) => t - (samples[0]?.[round] as number)) ?? []);
  const [bundleOverheadMs, naiveOverheadMs, floorOverheadMs] = [overhead(1), overhead(2), overhead(3)];
  const base = samples[0] as number[];
  const perRoundRatios = (samples[1] as number[]).map(
    (t, round) => (t - (base[round] as number)) / ((samples[2]?.[round] as number) - (base[round] as number)),
  );
  const rss = (file: string) => median([0, 1, 2].map(() => peakRssMiB(file, env)));
  const baselineRssMiB = median(
    [0, 1, 2].map(
      () => Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.resourceUsage().maxRSS))'], { env, encoding: 'utf8' })) / 1024,
    ),
  );
  const kib = (file: string) => statSync(file).size / 1024;
  return {
    rounds,
    bundleMs,
    naiveMs,
    floorMs,
    baselineMs,
    bundleOverheadMs,
    naiveOverheadMs,
    floorOverheadMs,
    ratio: bundleOverheadMs / naiveOverheadMs,
    ratioSpread: [quantile(perRoundRatios, 0.25), quantile(perRoundRatios, 0.75)],
    floorRatio: floorOverheadMs / naiveOverheadMs,
    bundleRssMiB: rss(bundle),
    naiveRssMiB: rss(naive),
    floorRssMiB: rss(floor),
    baselineRssMiB,
    bundleKiB: kib(bundle),
    naiveKiB: kib(naive),
    floorKiB: kib(floor),
  };
}

export function coldStartTable(f: ColdStartFigures): string {
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  const mib = (n: number) => `${n.toFixed(0)} MiB`;
  return [
    '| | packaged remediate bundle | naive bundle (EC2+IAM+SNS clients, Logger, Tracer) | floor (EC2+SNS clients, Logger, Tracer; built as the service) | `node -e 0` |',
    '|---|---|---|---|---|',
    `| size | ${f.bundleKiB.toFixed(0)} KiB | ${f.naiveKiB.toFixed(0)} KiB | ${f.floorKiB.toFixed(0)} KiB | - |`,
    `| process time, median of ${f.rounds} | ${ms(f.bundleMs)} | ${ms(f.naiveMs)} | ${ms(f.floorMs)} | ${ms(f.baselineMs)} |`,
    `| overhead (minus \`node -e 0\`, paired), median | ${ms(f.bundleOverheadMs)} | ${ms(f.naiveOverheadMs)} | ${ms(f.floorOverheadMs)} | - |`,
    `| overhead / naive overhead | **${f.ratio.toFixed(2)}** | 1.00 | ${f.floorRatio.toFixed(2)} | - |`,
    `| peak RSS after require | ${mib(f.bundleRssMiB)} | ${mib(f.naiveRssMiB)} | ${mib(f.floorRssMiB)} | ${mib(f.baselineRssMiB)} |`,
    '',
    `overhead ratio (bundle / naive): **${f.ratio.toFixed(2)}** (middle half of the per-round ratios: ${f.ratioSpread[0].toFixed(2)} to ${f.ratioSpread[1].toFixed(2)}); goal ≤ ${COLDSTART_GOAL} (${f.ratio <= COLDSTART_GOAL ? 'met' : 'NOT met'}); ${f.rounds} paired samples.`,
    `The floor is ${f.floorRatio.toFixed(2)} of the naive overhead: the clients, Logger and Tracer every remediation needs, before any validation, mapping or metrics.`,
  ].join('\n');
}

/** `packagedDir`: a `serverless package` output already made (npm run bench packages once); default: package now. */
export async function benchColdStart(packagedDir?: string): Promise<void> {
  console.log('\n## Cold start: module init of the packaged bundle vs a naive one');
  const dir = mkdtempSync(join(tmpdir(), 'profile-guard-coldstart-'));
  try {
    const bundle = packagedDir ? unzipFunction(packagedDir, 'remediate') : packagedRemediateBundle(dir);
    console.log(coldStartTable(measureColdStart(bundle, await naiveBundle(dir), await floorBundle(dir))));
    console.log('(process wall time on this machine; a shared or busy machine moves the absolute figures, the paired ratio much less.)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx scripts/bench/coldstart.ts [bundle.js]`: this section alone (or against a bundle already built).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bundle = process.argv[2];
  if (bundle) {
    const dir = mkdtempSync(join(tmpdir(), 'profile-guard-coldstart-'));
    try {
      console.log(coldStartTable(measureColdStart(bundle, await naiveBundle(dir), await floorBundle(dir))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else await benchColdStart();
}
