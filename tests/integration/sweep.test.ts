import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_OPTIONS } from '../../lib/engine.js';
import { silentLog } from '../../lib/log.js';
import { type Runtime, runSweep } from '../../lib/service.js';
import { launch, profilesOf } from '../../support/world.js';
import { useWorld } from '../helpers/aws-world.js';

describe('the sweep over a region on moto', () => {
  const world = useWorld();
  const runtime = (dryRun: boolean, maxChanges = 50): Runtime => ({
    clients: world.clients,
    mapping: world.mapping,
    log: silentLog,
    // moto counts DescribeInstances MaxResults in reservations (AWS: instances); 10 reservations of 100 make a 1,000-instance page.
    config: {
      mappingFile: 'mapping.yaml',
      notifyLevel: 'changes',
      engine: { ...DEFAULT_ENGINE_OPTIONS, dryRun, maxChanges, concurrency: 8, sweepPageSize: 10 },
    },
  });

  it('reads 1,500 instances in pages with a bounded number of describe calls, and honours the cap', async () => {
    for (let i = 0; i < 15; i++) await launch(world.clients.ec2, { tags: { app: `web-${i}` }, count: 100 });
    const progress: number[] = [];

    const plan = await runSweep(runtime(true), { account: '123456789012', region: 'us-east-1' }, { onProgress: (done) => progress.push(done) });

    // Two DescribeInstances pages of up to 1,000; none of them wears a profile, so no association read at all.
    expect(plan.reads).toEqual({ describeInstancesCalls: 2, describeAssociationsCalls: 0 });
    expect(progress).toEqual([1000, 1500]);
    expect(plan.report?.counts.planned).toBe(1500);
    expect(plan.report?.trigger).toEqual({ type: 'sweep' });

    const applied = await runSweep(runtime(false, 100), { account: '123456789012', region: 'us-east-1' });
    expect(applied.report?.counts).toMatchObject({ changed: 100, deferred: 1400, failed: 0 });
    const profiles = Object.values(await profilesOf(world.clients.ec2, applied.report?.results.map((r) => r.instanceId) ?? []));
    expect(profiles.filter((p) => p === 'WebProfile')).toHaveLength(100);
    // moto launching 1,500 instances dominates: about 30 s on a quiet 2-core machine, 55 s on a busy one.
  }, 180_000);
});
