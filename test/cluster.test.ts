/**
 * The cluster, end to end: a real redis-server, real worker processes, the
 * real CLI as coordinator. Clustered outputs are compared with local renders
 * of the same scene, and the faults a cluster meets are made to happen.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ffprobe, readPng, runCli, sha256, tempDir, writeScene, type CliResult } from './helpers.js';
import { HAS_REDIS, skipMessage, startRedis, type TestRedis } from './redis-server.js';

if (!HAS_REDIS) console.warn(skipMessage('the cluster suite (test/cluster.test.ts)'));

/** 36 frames: 9 chunks of 4. */
const SMALL = `
name: small
output: { size: [64, 64], fps: 12, duration: 3, formats: [png, mp4, gif] }
loop: true
network:
  inputs: [x, y, r, t]
  layers: { depth: 4, width: 8 }
  init: { normal: { std: 1 } }
keyframes:
  - { at: 0, seed: 7, t: 0 }
  - { at: 1.5, seed: 11, t: 1 }
`;

/** Heavier frames, so that a chunk takes long enough to be interrupted. */
const HEAVY = `
name: heavy
output: { size: [256, 256], fps: 12, duration: 3, formats: [png] }
loop: true
network:
  inputs: [x, y, r, t]
  layers: { depth: 8, width: 16 }
  init: { normal: { std: 1 } }
keyframes:
  - { at: 0, seed: 3, t: 0 }
  - { at: 1.5, seed: 4, t: 1 }
`;

interface Running {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<CliResult>;
}

/** Starts `cppn-motion ...args` and keeps what it prints. */
function start(args: string[], cwd: string): Running {
  const child = spawn(process.execPath, [CLI, ...args], { cwd });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<CliResult>((done) => child.on('close', (code) => done({ code, stdout, stderr })));
  return {
    child,
    output: () => stdout + stderr,
    async waitFor(pattern, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(stdout + stderr);
        if (match) return match;
        if (Date.now() > until) throw new Error(`waited for ${pattern} in vain; output so far:\n${stdout}${stderr}`);
        if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before ${pattern}:\n${stdout}${stderr}`);
        await sleep(20);
      }
    },
    exited,
  };
}

/** The decoded pixels of every frame in a folder of PNG frames, as hashes. */
async function frameHashes(folder: string): Promise<string[]> {
  const files = readdirSync(folder).sort();
  return Promise.all(files.map(async (f) => sha256((await readPng(join(folder, f))).data)));
}

describe.skipIf(!HAS_REDIS)('cppn-motion on a cluster (worker, render --redis, batch --redis, doctor --redis)', () => {
  let redis: TestRedis;
  let dir: ReturnType<typeof tempDir>;
  const workers: Running[] = [];
  const store = (): string => join(dir.path, 'store');
  const startWorker = (extra: string[] = []): Running => {
    const worker = start(['worker', '--redis', redis.url, '--store', store(), '--workers', '1', ...extra], dir.path);
    workers.push(worker);
    return worker;
  };
  const stopWorkers = async (): Promise<void> => {
    for (const worker of workers.splice(0)) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
  };
  const localReference = new Map<string, string>();
  /** A local render of a scene, once: the reference every clustered render must match. */
  const local = async (scene: string, name: string): Promise<string> => {
    if (!localReference.has(name)) {
      const out = join(dir.path, 'local', name);
      const result = await runCli(['render', scene, '--out', out, '-q']);
      expect(result.code, result.stderr).toBe(0);
      localReference.set(name, out);
    }
    return localReference.get(name)!;
  };

  beforeAll(async () => {
    redis = await startRedis();
    dir = tempDir();
  });
  afterEach(async () => {
    await stopWorkers();
    // Each test starts from an empty queue.
    await redis.restart(0);
  });
  afterAll(async () => {
    await stopWorkers();
    await redis?.stop();
    dir?.remove();
  });

  it('renders a video through the queue on two worker processes, identical to a local render, and doctor shows the workers', async () => {
    const scene = writeScene(dir.path, 'small', SMALL);
    const reference = await local(scene, 'small');
    const [a, b] = [startWorker(), startWorker()];
    await Promise.all([a.waitFor(/connected to/), b.waitFor(/connected to/)]);

    const doctor = await runCli(['doctor', '--redis', redis.url]);
    expect(doctor.stdout).toMatch(/jobs: +0 waiting, 0 active, 0 retrying later, 0 failed/);
    expect(doctor.stdout).toMatch(/workers: +2 connected/);

    const out = join(dir.path, 'cluster', 'small');
    const result = await runCli(['render', scene, '--redis', redis.url, '--store', store(), '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/36\/36 frames.*2 workers/);
    expect(await frameHashes(`${out}-frames`)).toEqual(await frameHashes(`${reference}-frames`));
    expect(readdirSync(`${out}-frames`)).toHaveLength(36);
    // Same frames into the same encoders: the same files.
    expect(sha256(readFileSync(`${out}.gif`))).toBe(sha256(readFileSync(`${reference}.gif`)));
    const probe = await ffprobe(`${out}.mp4`);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 64, height: 64, nb_read_frames: '36' });
    expect(Number(probe.format.duration)).toBeCloseTo(3, 1);
    expect(JSON.parse(probe.format.tags!.comment).name).toBe('small');
    // Both workers took chunks, and the store keeps nothing once the video is written.
    expect(a.output()).toMatch(/small frames \d+–\d+: done/);
    expect(b.output()).toMatch(/small frames \d+–\d+: done/);
    expect(readdirSync(store()).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('renders a series through the queue, identical to a local batch, and a second run skips what is done', async () => {
    const scene = writeScene(dir.path, 'series', SMALL.replace('name: small', 'name: series').replace('formats: [png, mp4, gif]', 'formats: [gif]'));
    const localRun = await runCli(['batch', scene, '--seeds', '1-3', '--out', join(dir.path, 'local-series'), '-q']);
    expect(localRun.code, localRun.stderr).toBe(0);
    startWorker();
    startWorker();
    const clusterOut = join(dir.path, 'cluster-series');
    const run = await runCli(['batch', scene, '--seeds', '1-3', '--redis', redis.url, '--store', store(), '--out', clusterOut]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('summary: 3 done, 0 skipped, 0 failed');
    const files = readdirSync(join(dir.path, 'local-series', 'series')).filter((f) => f !== 'manifest.json');
    expect(files.filter((f) => f.endsWith('.gif'))).toHaveLength(3);
    expect(files).toContain('contact-sheet.png');
    expect(readdirSync(join(clusterOut, 'series')).sort()).toEqual([...files, 'manifest.json'].sort());
    for (const file of files) expect(sha256(readFileSync(join(clusterOut, 'series', file))), file).toBe(sha256(readFileSync(join(dir.path, 'local-series', 'series', file))));
    const again = await runCli(['batch', scene, '--seeds', '1-3', '--redis', redis.url, '--store', store(), '--out', clusterOut]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('summary: 0 done, 3 skipped, 0 failed');
  });

  it('a worker killed mid-chunk: its chunk goes to another worker, and the video is complete and identical', async () => {
    const scene = writeScene(dir.path, 'heavy', HEAVY);
    const reference = await local(scene, 'heavy');
    const doomed = startWorker();
    await doomed.waitFor(/connected to/);
    const out = join(dir.path, 'cluster', 'heavy-killed');
    const render = start(['render', scene, '--redis', redis.url, '--store', store(), '--out', out], dir.path);
    const [, range] = await doomed.waitFor(/heavy (frames \d+–\d+): rendering/);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    // It died holding the chunk: it never finished it.
    expect(doomed.output()).not.toContain(`${range}: done`);
    const rescuer = startWorker();
    const result = await render.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(rescuer.output()).toContain(`heavy ${range}: done`);
    expect(await frameHashes(`${out}-frames`)).toEqual(await frameHashes(`${reference}-frames`));
  });

  it('a chunk that fails on every attempt fails the render with the chunk and the cause, and nothing appears under the final name', async () => {
    const scene = writeScene(dir.path, 'small', SMALL);
    // The worker's store disappears after it started: every chunk it renders fails to be written.
    const brokenStore = join(dir.path, 'broken-store');
    const worker = start(['worker', '--redis', redis.url, '--store', brokenStore, '--workers', '1'], dir.path);
    workers.push(worker);
    await worker.waitFor(/connected to/);
    rmSync(brokenStore, { recursive: true });
    writeFileSync(brokenStore, 'not a folder');
    const out = join(dir.path, 'cluster', 'failing');
    const result = await runCli(['render', scene, '--redis', redis.url, '--store', store(), '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: frames 0–3 of small failed after 3 attempts: cannot write frames 0–3 in the chunk store .*broken-store: (ENOTDIR|EEXIST)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(`${out}.mp4`)).toBe(false);
    expect(existsSync(`${out}.gif`)).toBe(false);
    expect(existsSync(`${out}-frames`)).toBe(false);
  });

  it('a worker writing to another store than the coordinator reads is named, instead of waiting forever', async () => {
    const scene = writeScene(dir.path, 'small', SMALL);
    const worker = start(['worker', '--redis', redis.url, '--store', join(dir.path, 'elsewhere'), '--workers', '1'], dir.path);
    workers.push(worker);
    await worker.waitFor(/connected to/);
    const out = join(dir.path, 'cluster', 'elsewhere');
    const result = await runCli(['render', scene, '--redis', redis.url, '--store', store(), '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: frames \d+–\d+ of small was rendered by \S+, but is not in the chunk store .*; every worker and the coordinator need the same shared --store/);
    expect(existsSync(`${out}.mp4`)).toBe(false);
  });

  it('a coordinator stopped and started again reuses the chunks already finished', async () => {
    const scene = writeScene(dir.path, 'heavy', HEAVY);
    const reference = await local(scene, 'heavy');
    const worker = startWorker();
    await worker.waitFor(/connected to/);
    const out = join(dir.path, 'cluster', 'heavy-restarted');
    const first = start(['render', scene, '--redis', redis.url, '--store', store(), '--out', out], dir.path);
    await worker.waitFor(/(heavy frames \d+–\d+: done[^]*){2}/);
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(130);
    const second = await runCli(['render', scene, '--redis', redis.url, '--store', store(), '--out', out]);
    expect(second.code, second.stderr).toBe(0);
    const reused = Number(/reused (\d+) chunks? finished by an earlier run/.exec(second.stderr)?.[1]);
    expect(reused).toBeGreaterThanOrEqual(2);
    // No chunk was rendered twice.
    const rendered = [...worker.output().matchAll(/heavy (frames \d+–\d+): rendering/g)].map((m) => m[1]);
    expect(new Set(rendered).size).toBe(rendered.length);
    expect(await frameHashes(`${out}-frames`)).toEqual(await frameHashes(`${reference}-frames`));
  });

  it('Redis restarted during a render: workers reconnect, lost jobs are queued again, and the render completes identical', async () => {
    const scene = writeScene(dir.path, 'heavy', HEAVY);
    const reference = await local(scene, 'heavy');
    const worker = startWorker();
    await worker.waitFor(/connected to/);
    const out = join(dir.path, 'cluster', 'heavy-redis-restart');
    const render = start(['render', scene, '--redis', redis.url, '--store', store(), '--out', out], dir.path);
    await worker.waitFor(/heavy frames \d+–\d+: done/);
    await redis.restart(1500);
    const result = await render.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/lost Redis at/);
    expect(worker.output()).toMatch(/lost redis:\/\/[^\n]*reconnecting/);
    expect(await frameHashes(`${out}-frames`)).toEqual(await frameHashes(`${reference}-frames`));
  });

  it('a worker refuses a job that is not a well-formed scene payload, without retrying it, and stops cleanly on SIGTERM', async () => {
    mkdirSync(store(), { recursive: true });
    const worker = startWorker();
    await worker.waitFor(/connected to/);
    const { Queue } = await import('bullmq');
    const queue = new Queue('cppn-motion-chunks', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      await queue.add('chunk', { format: 1, sceneHash: '0123456789abcdef', scene: { network: { layers: { depth: -1 } } }, weights: {}, range: { start: 0, end: 4 } }, { jobId: 'bad', attempts: 3 });
      await worker.waitFor(/refused job bad: not a well-formed chunk job: its scene is not valid/);
      await sleep(500);
      const job = await queue.getJob('bad');
      expect(await job!.getState()).toBe('failed');
      expect(job!.attemptsMade).toBe(1);
      expect(readdirSync(store()).filter((f) => !f.startsWith('.'))).toEqual([]);
    } finally {
      await queue.close();
    }
    // And it stops cleanly when told to.
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/SIGTERM: finishing the chunk in hand, then stopping[^]*stopped/);
  });

  it('a worker stops on SIGTERM even while Redis is down', async () => {
    const worker = startWorker();
    await worker.waitFor(/connected to/);
    await redis.stop();
    await worker.waitFor(/lost redis:\/\/[^\n]*reconnecting/);
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/stopped/);
  });
});
