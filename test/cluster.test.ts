/**
 * The cluster, end to end: a real redis-server, real worker processes, the
 * real CLI as coordinator. Clustered outputs are compared with local renders
 * of the same scene. The faults a cluster meets are made to happen in
 * cluster-recovery.test.ts (it carries on) and cluster-refusals.test.ts (it
 * stops, in words); the three files share the rig in cluster-rig.ts.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ffprobe, runCli, sha256, tempDir, writeScene } from './helpers.js';
import { frameHashes, start } from './cli-process.js';
import { SMALL, useCluster } from './cluster-rig.js';
import { canMount, mountTmpfs } from './mounts.js';
import { startRedis, type TestRedis } from './redis-server.js';
import { needs } from './system-parts.js';
import { RedisOutage } from '../src/cluster/redis-outage.js';
import { SetUsers } from '../src/cluster/set-users.js';
import { createClusterBackend, createDirectoryStore, type ChunkStore } from '../src/cluster/index.js';
import { renderVideo } from '../src/render/video.js';
import { workerCommand } from '../src/scene/options/index.js';
import { REDIS_PASSWORD_VARIABLE } from '../src/scene/options/redis-url.js';
import { sceneFromFile, validateSceneData } from '../src/scene/index.js';
import { parse } from 'yaml';
import { FULL_TIER_ONLY } from './tier.js';

describe('cppn-motion on a cluster (worker, render --redis, batch --redis, doctor --redis)', needs('redis-server'), () => {
  const rig = useCluster();

  it('renders a video through the queue on two worker processes, identical to a local render, and doctor shows the workers', async () => {
    const scene = writeScene(rig.dir, 'small', SMALL);
    const reference = await rig.local(scene, 'small');
    const [a, b] = [rig.startWorker(), rig.startWorker()];
    await Promise.all([a.waitFor(/connected to/), b.waitFor(/connected to/)]);

    const doctor = await runCli(['doctor', '--redis', rig.redis.url]);
    expect(doctor.stdout).toMatch(/jobs: +cpu: 0 waiting, 0 active, 0 retrying later, 0 failed/);
    expect(doctor.stdout).toMatch(/workers: +2 connected/);

    const out = join(rig.dir, 'cluster', 'small');
    const result = await runCli(['render', scene, '--redis', rig.redis.url, '--store', rig.store(), '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/192\/192 frames.*2 workers/);
    expect(await frameHashes(`${out}-frames`)).toEqual(await frameHashes(`${reference}-frames`));
    expect(readdirSync(`${out}-frames`)).toHaveLength(192);
    // Same frames into the same encoders: the same files.
    expect(sha256(readFileSync(`${out}.gif`))).toBe(sha256(readFileSync(`${reference}.gif`)));
    const probe = await ffprobe(`${out}.mp4`);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 64, height: 64, nb_read_frames: '192' });
    expect(Number(probe.format.duration)).toBeCloseTo(16, 3);
    expect(JSON.parse(probe.format.tags!.comment).name).toBe('small');
    // Both workers took chunks, and the store keeps nothing once the video is written.
    expect(a.output()).toMatch(/small frames \d+–\d+: done/);
    expect(b.output()).toMatch(/small frames \d+–\d+: done/);
    expect(readdirSync(rig.store()).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('renders a series through the queue, identical to a local batch, and a second run skips what is done', async () => {
    const scene = writeScene(rig.dir, 'series', SMALL.replace('name: small', 'name: series').replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [gif]'));
    const localRun = await runCli(['batch', scene, '--seeds', '1-3', '--out', join(rig.dir, 'local-series'), '-q']);
    expect(localRun.code, localRun.stderr).toBe(0);
    rig.startWorker();
    rig.startWorker();
    const clusterOut = join(rig.dir, 'cluster-series');
    const run = await runCli(['batch', scene, '--seeds', '1-3', '--redis', rig.redis.url, '--store', rig.store(), '--out', clusterOut]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('summary: 3 done, 0 skipped, 0 failed');
    const files = readdirSync(join(rig.dir, 'local-series', 'series')).filter((f) => f !== 'manifest.json');
    expect(files.filter((f) => f.endsWith('.gif'))).toHaveLength(3);
    expect(files).toContain('contact-sheet.png');
    expect(readdirSync(join(clusterOut, 'series')).sort()).toEqual([...files, 'manifest.json'].sort());
    for (const file of files) expect(sha256(readFileSync(join(clusterOut, 'series', file))), file).toBe(sha256(readFileSync(join(rig.dir, 'local-series', 'series', file))));
    const again = await runCli(['batch', scene, '--seeds', '1-3', '--redis', rig.redis.url, '--store', rig.store(), '--out', clusterOut]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('summary: 0 done, 3 skipped, 0 failed');
  });

  // Full tier: series items through the queue are checked above; frames folders replaced in output-names.test.ts.
  it('a series item of PNG frames replaces the frames folder an earlier batch wrote, as a local batch does', FULL_TIER_ONLY, async () => {
    const scene = writeScene(rig.dir, 'frames-series', SMALL.replace('name: small', 'name: frames-series').replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [png]').replace('duration: 16', 'duration: 2').replace('at: 8', 'at: 1'));
    rig.startWorker();
    const out = join(rig.dir, 'cluster-frames-series');
    const first = await runCli(['batch', scene, '--seeds', '1', '--redis', rig.redis.url, '--store', rig.store(), '--out', out, '-q']);
    expect(first.code, first.stderr).toBe(0);
    const folder = readdirSync(join(out, 'frames-series')).find((name) => name.endsWith('-frames'))!;
    const frames = readdirSync(join(out, 'frames-series', folder));
    expect(frames.length).toBeGreaterThan(0);
    const again = await runCli(['batch', scene, '--seeds', '1', '--redis', rig.redis.url, '--store', rig.store(), '--out', out, '--force', '-q']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/did not write/);
    expect(readdirSync(join(out, 'frames-series', folder))).toEqual(frames);
  });

  // Full tier: pieces reused across runs are checked in cluster-recovery.test.ts (a coordinator restarted).
  it('two coordinators rendering the same scene to the same output share the pieces: both succeed, each piece is rendered once, the outputs are those of a local render', FULL_TIER_ONLY, async () => {
    const scene = writeScene(rig.dir, 'small', SMALL);
    const reference = await rig.local(scene, 'small');
    const [a, b] = [rig.startWorker(), rig.startWorker()];
    await Promise.all([a.waitFor(/connected to/), b.waitFor(/connected to/)]);
    const out = join(rig.dir, 'cluster', 'twice');
    const args = ['render', scene, '--redis', rig.redis.url, '--store', rig.store(), '--out', out];
    const [first, second] = await Promise.all([runCli(args), runCli(args)]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const rendered = [...`${a.output()}${b.output()}`.matchAll(/small (frames \d+–\d+): rendering/g)].map((m) => m[1]);
    expect(rendered.length).toBeGreaterThan(0);
    expect(new Set(rendered).size).toBe(rendered.length);
    for (const ext of ['mp4', 'gif', 'webm', 'webp', 'apng']) expect(sha256(readFileSync(`${out}.${ext}`)), ext).toBe(sha256(readFileSync(`${reference}.${ext}`)));
    expect(await frameHashes(`${out}-frames`)).toEqual(await frameHashes(`${reference}-frames`));
    expect(readdirSync(dirname(out)).filter((f) => /partial/.test(f))).toEqual([]);
    expect(readdirSync(rig.store(), { recursive: true }).map(String).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  // Full tier: the budget itself is checked in formats.test.ts, items rendered whole by a worker above.
  it('a GIF size budget is decided once, by a worker, and the GIF is the one a local render makes', FULL_TIER_ONLY, async () => {
    const scene = writeScene(rig.dir, 'budget', SMALL.replace('name: small', 'name: budget').replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [gif]').replace('[64, 64]', '[160, 128]'));
    const localRun = await runCli(['render', scene, '--gif-max-size', '150kB', '--out', join(rig.dir, 'local', 'budget'), '-q']);
    expect(localRun.code, localRun.stderr).toBe(0);
    const worker = rig.startWorker();
    await worker.waitFor(/connected to/);
    const out = join(rig.dir, 'cluster', 'budget');
    const result = await runCli(['render', scene, '--gif-max-size', '150kB', '--redis', rig.redis.url, '--store', rig.store(), '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/budget\.gif \(\d+x\d+, [\d.]+ fps, \d+ colours to fit 0\.15 MB/);
    expect(worker.output()).toMatch(/budget: choosing the encoding settings/);
    expect(sha256(readFileSync(`${out}.gif`))).toBe(sha256(readFileSync(join(rig.dir, 'local', 'budget.gif'))));
    expect(readFileSync(`${out}.gif`).length).toBeLessThanOrEqual(150_000);
  });

  it('a store clean-up that fails after the outputs are in place is a warning: the render succeeds', async () => {
    const worker = rig.startWorker();
    await worker.waitFor(/connected to/);
    const real = createDirectoryStore(rig.store());
    // The pieces' folder cannot be removed (a store on a share gone read-only at the very end, say).
    const stubborn: ChunkStore = { location: real.location, ready: () => real.ready(), has: (key: string) => real.has(key), open: (key: string) => real.open(key), create: (key: string) => real.create(key), remove: (key: string) => real.remove(key), removeSet: async () => Promise.reject(new Error('the share went read-only')) };
    const notices: string[] = [];
    const backend = await createClusterBackend({ redisUrl: rig.redis.url, store: stubborn, onNotice: (message) => notices.push(message) });
    try {
      const loaded = sceneFromFile(validateSceneData(parse(SMALL.replace('name: small', 'name: tidy').replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [mp4]'))), 'tidy.yaml', '/', 'tidy');
      const outStem = join(rig.dir, 'cluster', 'tidy');
      const result = await renderVideo(loaded, { outStem, backend });
      expect(result.outputs.map((o) => o.path)).toEqual([`${outStem}.mp4`]);
      expect(existsSync(`${outStem}.mp4`)).toBe(true);
      expect(notices.join('\n')).toMatch(/tidy is complete, but its pieces could not be removed from the chunk store .*\(the share went read-only\)/);
    } finally {
      await backend.close();
    }
  });
});

describe('cluster flags and stores, in words', () => {
  it('a --redis URL that cannot be read is refused without showing its password', async () => {
    for (const command of [['render', 'scenes/drift.yaml'], ['worker'], ['doctor']]) {
      const result = await runCli([...command, '--redis', 'redis://:s3cret-word@queue-host:port']);
      expect(result.code, command[0]).toBe(2);
      expect(result.stderr, command[0]).toMatch(/--redis redis:\/\/\*\*\*@queue-host:port: not a URL/);
      expect(result.stdout + result.stderr, command[0]).not.toContain('s3cret');
    }
  });

  it('the command shown to start a worker never carries a password, hidden or not: it asks for the same URL', () => {
    expect(workerCommand('redis://:s3cret-word@queue-host:6379', 'gpu')).toBe('cppn-motion worker --redis <the same --redis URL, with its password> --backend gpu');
    expect(workerCommand('redis://queue-host:6379')).toBe('cppn-motion worker --redis redis://queue-host:6379');
  });

  it('a --store that is a file is named in words, before anything else, with exit code 2', async () => {
    const scratch = tempDir();
    try {
      const file = join(scratch.path, 'a-file');
      writeFileSync(file, 'x');
      for (const args of [['worker', '--redis', 'redis://127.0.0.1:1', '--store', file], ['render', 'scenes/drift.yaml', '--redis', 'redis://127.0.0.1:1', '--store', join(file, 'below')]]) {
        const result = await runCli(args);
        expect(result.code, args[0]).toBe(2);
        expect(result.stderr, args[0]).toMatch(/error: cannot write to the chunk store \S+: a file stands where a folder is needed/);
        expect(result.stderr, args[0]).not.toMatch(/EEXIST|ENOTDIR|ENOENT|locked/);
      }
    } finally {
      scratch.remove();
    }
  });

  it.skipIf(!canMount)('a read-only --store is named in words, with exit code 2', async () => {
    const disk = mountTmpfs(256);
    try {
      disk.readOnly();
      const result = await runCli(['worker', '--redis', 'redis://127.0.0.1:1', '--store', join(disk.path, 'chunks')]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/error: cannot write to the chunk store \S+: it is on a read-only file system/);
      expect(result.stderr).not.toMatch(/EROFS|ENOENT/);
    } finally {
      disk.remove();
    }
  });
});

describe('a Redis that asks for a password', needs('redis-server'), () => {
  let redis: TestRedis;
  let dir: ReturnType<typeof tempDir>;
  const PASSWORD = 's3cret-word';
  beforeAll(async () => {
    redis = await startRedis({ password: PASSWORD });
    dir = tempDir();
  });
  afterAll(async () => {
    await redis?.stop();
    dir?.remove();
  });

  it(`takes it from ${REDIS_PASSWORD_VARIABLE}, out of every process's arguments; without it, says where it goes`, async () => {
    const env = { [REDIS_PASSWORD_VARIABLE]: PASSWORD };
    const worker = start(['worker', '--redis', redis.url, '--store', join(dir.path, 'store'), '--workers', '1'], dir.path, env);
    try {
      await worker.waitFor(/connected to/);
      expect(readFileSync(`/proc/${worker.child.pid}/cmdline`, 'utf8')).not.toContain(PASSWORD);
      const scene = writeScene(dir.path, 'hushed', SMALL.replace('name: small', 'name: hushed').replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [gif]').replace('duration: 16', 'duration: 2').replace('at: 8', 'at: 1'));
      const rendered = await runCli(['render', scene, '--redis', redis.url, '--store', join(dir.path, 'store'), '--out', join(dir.path, 'hushed'), '-q'], { env });
      expect(rendered.code, rendered.stderr).toBe(0);
      expect(worker.output()).toMatch(/hushed frames \d+–\d+: done/);
      // Without it: Redis's refusal, and where the password may be given.
      const refused = await runCli(['doctor', '--redis', redis.url]);
      expect(refused.stderr).toMatch(new RegExp(`NOAUTH Authentication required\\. \\(give its password in the URL, redis://:password@host:6379, or in the environment variable ${REDIS_PASSWORD_VARIABLE}`));
      const wrong = await runCli(['doctor', '--redis', redis.url.replace('//', '//:wrong@')], { env });
      expect(wrong.stderr, 'a password in the URL comes first').toMatch(/WRONGPASS/);
      expect(`${refused.stderr}${wrong.stderr}`).not.toContain(PASSWORD);
    } finally {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
  });
});

describe("the coordinator's patience with a lost Redis", () => {
  it('counts from when the connection was lost, not from the last call that went through', () => {
    let now = 0;
    const outage = new RedisOutage(30_000, () => now);
    // A quiet minute with no calls, then Redis goes: the render waits the whole limit from here.
    now = 60_000;
    expect(outage.lost()).toBe(true);
    expect(outage.tooLong).toBe(false);
    now = 89_000;
    expect(outage.lost()).toBe(false);
    expect(outage.tooLong).toBe(false);
    now = 90_001;
    expect(outage.tooLong).toBe(true);
    expect(outage.found()).toBe(30_001);
    expect(outage.lastedMs).toBe(0);
    expect(outage.found()).toBeUndefined();
  });
});

describe('coordinators sharing pieces, on machines whose clocks differ', needs('redis-server'), () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("a coordinator whose clock is an hour behind still counts as using the pieces: the other's release keeps them", async () => {
    const { Redis } = await import('ioredis');
    const [a, b] = [new Redis(redis.port, '127.0.0.1'), new Redis(redis.port, '127.0.0.1')];
    const behind = new SetUsers(a, 'behind');
    const onTime = new SetUsers(b, 'on-time');
    try {
      const now = Date.now();
      const clock = vi.spyOn(Date, 'now').mockReturnValue(now - 3600_000);
      try {
        await behind.use('0123456789abcdef');
      } finally {
        clock.mockRestore();
      }
      await onTime.use('0123456789abcdef');
      expect(await onTime.release('0123456789abcdef')).toBe(false);
      expect(await behind.release('0123456789abcdef')).toBe(true);
    } finally {
      await behind.close();
      await onTime.close();
      a.disconnect();
      b.disconnect();
    }
  });
});
