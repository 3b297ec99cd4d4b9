/**
 * The cluster carries on through the faults it meets: a worker killed
 * mid-piece, a coordinator stopped and started again, Redis restarted, a
 * lock lost, a stop while Redis is down. Real processes, as in cluster.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, writeScene } from './helpers.js';
import { frameHashes, start } from './cli-process.js';
import { HEAVY, useCluster } from './cluster-rig.js';
import { needs } from './system-parts.js';
import { FULL_TIER_ONLY } from './tier.js';

describe('a cluster carries on when a worker, the coordinator or Redis goes away', needs('redis-server'), () => {
  const rig = useCluster();

  it('a worker killed mid-piece: its piece goes to another worker, and the video is complete and identical', async () => {
    const scene = writeScene(rig.dir, 'heavy', HEAVY);
    const reference = await rig.local(scene, 'heavy');
    // A short hold, so that the dead worker's piece is free again in seconds.
    const doomed = rig.startWorker(['--lock-seconds', '3']);
    await doomed.waitFor(/connected to/);
    const out = join(rig.dir, 'cluster', 'heavy-killed');
    const render = start(['render', scene, '--redis', rig.redis.url, '--store', rig.store(), '--out', out], rig.dir);
    const [, range] = await doomed.waitFor(/heavy (frames \d+–\d+): rendering/);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    // It died holding the chunk: it never finished it.
    expect(doomed.output()).not.toContain(`${range}: done`);
    const rescuer = rig.startWorker(['--lock-seconds', '3']);
    const result = await render.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(rescuer.output()).toContain(`heavy ${range}: done`);
    expect(await frameHashes(`${out}-frames`)).toEqual(await frameHashes(`${reference}-frames`));
  });

  it('a coordinator stopped and started again reuses the pieces already finished', async () => {
    const scene = writeScene(rig.dir, 'heavy', HEAVY);
    const reference = await rig.local(scene, 'heavy');
    const worker = rig.startWorker();
    await worker.waitFor(/connected to/);
    const out = join(rig.dir, 'cluster', 'heavy-restarted');
    const first = start(['render', scene, '--redis', rig.redis.url, '--store', rig.store(), '--out', out], rig.dir);
    await worker.waitFor(/(heavy frames \d+–\d+: done[^]*){2}/);
    first.child.kill('SIGINT');
    const stopped = await first.exited;
    expect(stopped.code).toBe(130);
    // Taking back the pieces nobody had started is not a lost Redis, nor a lock of another worker's.
    expect(stopped.stderr).not.toMatch(/lost Redis|locked by another worker/);
    const second = await runCli(['render', scene, '--redis', rig.redis.url, '--store', rig.store(), '--out', out]);
    expect(second.code, second.stderr).toBe(0);
    const reused = Number(/reused (\d+) pieces? finished by an earlier run/.exec(second.stderr)?.[1]);
    expect(reused).toBeGreaterThanOrEqual(2);
    // No piece was rendered twice.
    const rendered = [...worker.output().matchAll(/heavy (frames \d+–\d+): rendering/g)].map((m) => m[1]);
    expect(new Set(rendered).size).toBe(rendered.length);
    expect(await frameHashes(`${out}-frames`)).toEqual(await frameHashes(`${reference}-frames`));
  });

  it('Redis restarted during a render: workers reconnect, lost jobs are queued again, and the render completes identical', async () => {
    const scene = writeScene(rig.dir, 'heavy', HEAVY);
    const reference = await rig.local(scene, 'heavy');
    const worker = rig.startWorker();
    await worker.waitFor(/connected to/);
    const out = join(rig.dir, 'cluster', 'heavy-redis-restart');
    const render = start(['render', scene, '--redis', rig.redis.url, '--store', rig.store(), '--out', out], rig.dir);
    await worker.waitFor(/heavy frames \d+–\d+: done/);
    await rig.redis.restart(1500);
    const result = await render.exited;
    expect(result.code, result.stderr).toBe(0);
    // One warning and one "back" from each side, in words: no connection error line a second.
    expect(result.stderr.match(/lost Redis at/g)).toHaveLength(1);
    expect(result.stderr.match(/Redis at \S+ is back after/g)).toHaveLength(1);
    expect(result.stderr).not.toMatch(/ECONNREFUSED|\n\s+at /);
    expect(worker.output().match(/lost redis:\/\/[^\n]*reconnecting/g)).toHaveLength(1);
    expect(worker.output().match(/ECONNREFUSED/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(await frameHashes(`${out}-frames`)).toEqual(await frameHashes(`${reference}-frames`));
  });

  // Full tier: a job handed to another worker is checked above (a worker killed mid-piece).
  it('a worker that loses the lock on its job stops rendering it, and the job is done again', FULL_TIER_ONLY, async () => {
    // Pieces that take long enough on one thread for the lock to be lost mid-piece.
    const scene = writeScene(rig.dir, 'slow', HEAVY.replace('name: heavy', 'name: slow').replace('width: 16', 'width: 96'));
    const { Redis } = await import('ioredis');
    const client = new Redis(rig.redis.port, '127.0.0.1');
    try {
      // Renewed every 1.5 s: the first renewal comes while the first piece renders.
      const worker = rig.startWorker(['--lock-seconds', '3']);
      await worker.waitFor(/connected to/);
      const out = join(rig.dir, 'cluster', 'slow-lock');
      const render = start(['render', scene, '--redis', rig.redis.url, '--store', rig.store(), '--out', out], rig.dir);
      const [, range] = await worker.waitFor(/slow (frames \d+–\d+): rendering/);
      // As if Redis had lost the lock (an outage longer than the lock, a failover): the next renewal fails.
      const locks = await client.keys('bull:cppn-motion-chunks:*:lock');
      expect(locks.length).toBeGreaterThan(0);
      await client.del(...locks);
      await worker.waitFor(/lost its lock/);
      await worker.waitFor(new RegExp(`slow ${range}: failed: job \\S+ lost its lock`));
      const result = await render.exited;
      expect(result.code, result.stderr).toBe(0);
      expect(worker.output()).toContain(`slow ${range}: done`);
    } finally {
      client.disconnect();
    }
  });

  it('a worker stops on SIGTERM even while Redis is down', async () => {
    const worker = rig.startWorker();
    await worker.waitFor(/connected to/);
    await rig.redis.stop();
    await worker.waitFor(/lost redis:\/\/[^\n]*reconnecting/);
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/stopped/);
  });
});
