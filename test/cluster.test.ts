/**
 * The cluster, end to end: a real redis-server, real worker processes, the
 * real CLI as coordinator. Clustered outputs are compared with local renders
 * of the same scene, and the faults a cluster meets are made to happen.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ffprobe, ROOT, runCli, sha256, tempDir, writeScene } from './helpers.js';
import { frameHashes, start, type Running } from './cli-process.js';
import { locateFfmpeg } from '../src/encode/ffmpeg.js';
import { canMount, mountTmpfs } from './mounts.js';
import { startRedis, type TestRedis } from './redis-server.js';
import { needs } from './system-parts.js';
import { itemJob, pieceJob } from '../src/cluster/chunk-job.js';
import { RedisOutage } from '../src/cluster/redis-outage.js';
import { SetUsers } from '../src/cluster/set-users.js';
import { createClusterBackend, createDirectoryStore, type ChunkStore } from '../src/cluster/index.js';
import { renderVideo } from '../src/render/video.js';
import { workerCommand } from '../src/scene/options/index.js';
import { toolIdentity } from '../src/cluster/tool-identity.js';
import { sceneFromFile, validateSceneData } from '../src/scene/index.js';
import { parse } from 'yaml';

/** 192 frames: 6 pieces of 32 (the WebM asks for at least 30). */
const SMALL = `
name: small
output: { size: [64, 64], fps: 12, duration: 16, formats: [png, mp4, gif, webm, webp, apng] }
loop: true
network:
  inputs: [x, y, r, t]
  layers: { depth: 4, width: 8 }
  init: { normal: { std: 1 } }
keyframes:
  - { at: 0, seed: 7, t: 0 }
  - { at: 8, seed: 11, t: 1 }
`;

/** Heavier frames, so that a piece takes long enough to be interrupted. */
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

function ffmpegPath(): string {
  return locateFfmpeg().path;
}

/** SMALL as the library loads it, for jobs made by hand. */
function smallLoaded(): ReturnType<typeof sceneFromFile> {
  return sceneFromFile(validateSceneData(parse(SMALL)), 'small.yaml', '/', 'small');
}
const gifSettings = { gif: { settings: { width: 64, height: 64, fps: 12, coding: { colors: 256, dither: 'none' as const, bayerScale: 2, tolerance: 2 } } } };

describe('cppn-motion on a cluster (worker, render --redis, batch --redis, doctor --redis)', needs('redis-server'), () => {
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
    expect(doctor.stdout).toMatch(/jobs: +cpu: 0 waiting, 0 active, 0 retrying later, 0 failed/);
    expect(doctor.stdout).toMatch(/workers: +2 connected/);

    const out = join(dir.path, 'cluster', 'small');
    const result = await runCli(['render', scene, '--redis', redis.url, '--store', store(), '--out', out]);
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
    expect(readdirSync(store()).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('renders a series through the queue, identical to a local batch, and a second run skips what is done', async () => {
    const scene = writeScene(dir.path, 'series', SMALL.replace('name: small', 'name: series').replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [gif]'));
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

  it('a series item of PNG frames replaces the frames folder an earlier batch wrote, as a local batch does', async () => {
    const scene = writeScene(dir.path, 'frames-series', SMALL.replace('name: small', 'name: frames-series').replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [png]').replace('duration: 16', 'duration: 2').replace('at: 8', 'at: 1'));
    startWorker();
    const out = join(dir.path, 'cluster-frames-series');
    const first = await runCli(['batch', scene, '--seeds', '1', '--redis', redis.url, '--store', store(), '--out', out, '-q']);
    expect(first.code, first.stderr).toBe(0);
    const folder = readdirSync(join(out, 'frames-series')).find((name) => name.endsWith('-frames'))!;
    const frames = readdirSync(join(out, 'frames-series', folder));
    expect(frames.length).toBeGreaterThan(0);
    const again = await runCli(['batch', scene, '--seeds', '1', '--redis', redis.url, '--store', store(), '--out', out, '--force', '-q']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/did not write/);
    expect(readdirSync(join(out, 'frames-series', folder))).toEqual(frames);
  });

  it('a worker killed mid-piece: its piece goes to another worker, and the video is complete and identical', async () => {
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

  it('a piece that cannot be stored on any attempt fails the render with the piece and the cause in words, and nothing appears under the final name', async () => {
    const scene = writeScene(dir.path, 'small', SMALL);
    // The worker's store disappears after it started: every piece it renders fails to be written.
    const brokenStore = join(dir.path, 'broken-store');
    const worker = start(['worker', '--redis', redis.url, '--store', brokenStore, '--workers', '1'], dir.path);
    workers.push(worker);
    await worker.waitFor(/connected to/);
    rmSync(brokenStore, { recursive: true });
    writeFileSync(brokenStore, 'not a folder');
    const out = join(dir.path, 'cluster', 'failing');
    const result = await runCli(['render', scene, '--redis', redis.url, '--store', store(), '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: frames \d+–\d+ of small failed after 3 attempts: cannot write to the chunk store .*broken-store: a file stands where a folder is needed/);
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
    expect(result.stderr).toMatch(/error: frames \d+–\d+ of small was made by \S+, but is not in the chunk store .*; every worker and the coordinator need the same shared --store/);
    expect(existsSync(`${out}.mp4`)).toBe(false);
  });

  it('a coordinator stopped and started again reuses the pieces already finished', async () => {
    const scene = writeScene(dir.path, 'heavy', HEAVY);
    const reference = await local(scene, 'heavy');
    const worker = startWorker();
    await worker.waitFor(/connected to/);
    const out = join(dir.path, 'cluster', 'heavy-restarted');
    const first = start(['render', scene, '--redis', redis.url, '--store', store(), '--out', out], dir.path);
    await worker.waitFor(/(heavy frames \d+–\d+: done[^]*){2}/);
    first.child.kill('SIGINT');
    const stopped = await first.exited;
    expect(stopped.code).toBe(130);
    // Taking back the pieces nobody had started is not a lost Redis, nor a lock of another worker's.
    expect(stopped.stderr).not.toMatch(/lost Redis|locked by another worker/);
    const second = await runCli(['render', scene, '--redis', redis.url, '--store', store(), '--out', out]);
    expect(second.code, second.stderr).toBe(0);
    const reused = Number(/reused (\d+) pieces? finished by an earlier run/.exec(second.stderr)?.[1]);
    expect(reused).toBeGreaterThanOrEqual(2);
    // No piece was rendered twice.
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
    // One warning and one "back" from each side, in words: no connection error line a second.
    expect(result.stderr.match(/lost Redis at/g)).toHaveLength(1);
    expect(result.stderr.match(/Redis at \S+ is back after/g)).toHaveLength(1);
    expect(result.stderr).not.toMatch(/ECONNREFUSED|\n\s+at /);
    expect(worker.output().match(/lost redis:\/\/[^\n]*reconnecting/g)).toHaveLength(1);
    expect(worker.output().match(/ECONNREFUSED/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(await frameHashes(`${out}-frames`)).toEqual(await frameHashes(`${reference}-frames`));
  });

  it('a piece that fails to encode fails the render after its attempts, in the encoder\'s words, and nothing appears under the final names', async () => {
    const scene = writeScene(dir.path, 'small', SMALL.replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [gif, mp4]'));
    // An ffmpeg that names itself as the real one (so the worker is not refused) but cannot code anything.
    const fake = join(dir.path, 'broken-ffmpeg');
    writeFileSync(fake, `#!/bin/sh\nfor a in "$@"; do case "$a" in -version|-encoders|-filters) exec "${ffmpegPath()}" "$@";; esac; done\necho "x264 [error]: broken on purpose" >&2\nexit 1\n`, { mode: 0o755 });
    const worker = start(['worker', '--redis', redis.url, '--store', store(), '--workers', '1'], dir.path, { FFMPEG_PATH: fake });
    workers.push(worker);
    await worker.waitFor(/connected to/);
    const out = join(dir.path, 'cluster', 'unencodable');
    const result = await runCli(['render', scene, '--redis', redis.url, '--store', store(), '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: frames \d+–\d+ of small failed after 3 attempts: mp4 small \(frames \d+–\d+\): ffmpeg stopped \(exit code 1\): x264 \[error\]: broken on purpose/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(`${out}.mp4`)).toBe(false);
    expect(existsSync(`${out}.gif`)).toBe(false);
    // The worker left nothing half-written in the store (stopped, it first fails the piece in hand, if any).
    worker.child.kill('SIGTERM');
    await worker.exited;
    const leftovers = existsSync(store()) ? readdirSync(store(), { recursive: true }).map(String).filter((f) => /partial/.test(f)) : [];
    expect(leftovers).toEqual([]);
  });

  it('a worker of another cppn-motion version refuses the jobs, by version, and doctor shows it', async () => {
    // The same build under another version number: what an older or newer install would be.
    const other = join(dir.path, 'other-version');
    mkdirSync(other, { recursive: true });
    cpSync(join(ROOT, 'dist'), join(other, 'dist'), { recursive: true });
    writeFileSync(join(other, 'package.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')), version: '0.0.0-other' }));
    if (!existsSync(join(other, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(other, 'node_modules'));
    // On the CPU only, so that doctor's line is the same on a machine with a GPU.
    const worker = start([join(other, 'dist', 'cli', 'main.js'), 'worker', '--redis', redis.url, '--store', store(), '--workers', '1', '--backend', 'cpu'], dir.path, {}, true);
    workers.push(worker);
    await worker.waitFor(/connected to/);
    const doctor = await runCli(['doctor', '--redis', redis.url]);
    expect(doctor.stdout).toMatch(/cppn-motion 0\.0\.0-other, CPU jobs only — not \S+ like this one: it refuses this version's jobs/);
    const scene = writeScene(dir.path, 'small', SMALL);
    const out = join(dir.path, 'cluster', 'mixed');
    const result = await runCli(['render', scene, '--redis', redis.url, '--store', store(), '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: frames \d+–\d+ of small failed after 1 attempt: refused: the job comes from cppn-motion \S+, this worker runs 0\.0\.0-other; run the same version on the coordinator and every worker \(refused by /);
    expect(existsSync(`${out}.mp4`)).toBe(false);
    expect(worker.output()).not.toMatch(/rendering/);
  });

  it('two coordinators rendering the same scene to the same output share the pieces: both succeed, each piece is rendered once, the outputs are those of a local render', async () => {
    const scene = writeScene(dir.path, 'small', SMALL);
    const reference = await local(scene, 'small');
    const [a, b] = [startWorker(), startWorker()];
    await Promise.all([a.waitFor(/connected to/), b.waitFor(/connected to/)]);
    const out = join(dir.path, 'cluster', 'twice');
    const args = ['render', scene, '--redis', redis.url, '--store', store(), '--out', out];
    const [first, second] = await Promise.all([runCli(args), runCli(args)]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const rendered = [...`${a.output()}${b.output()}`.matchAll(/small (frames \d+–\d+): rendering/g)].map((m) => m[1]);
    expect(rendered.length).toBeGreaterThan(0);
    expect(new Set(rendered).size).toBe(rendered.length);
    for (const ext of ['mp4', 'gif', 'webm', 'webp', 'apng']) expect(sha256(readFileSync(`${out}.${ext}`)), ext).toBe(sha256(readFileSync(`${reference}.${ext}`)));
    expect(await frameHashes(`${out}-frames`)).toEqual(await frameHashes(`${reference}-frames`));
    expect(readdirSync(dirname(out)).filter((f) => /partial/.test(f))).toEqual([]);
    expect(readdirSync(store(), { recursive: true }).map(String).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('a GIF size budget is decided once, by a worker, and the GIF is the one a local render makes', async () => {
    const scene = writeScene(dir.path, 'budget', SMALL.replace('name: small', 'name: budget').replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [gif]').replace('[64, 64]', '[160, 128]'));
    const localRun = await runCli(['render', scene, '--gif-max-size', '150kB', '--out', join(dir.path, 'local', 'budget'), '-q']);
    expect(localRun.code, localRun.stderr).toBe(0);
    const worker = startWorker();
    await worker.waitFor(/connected to/);
    const out = join(dir.path, 'cluster', 'budget');
    const result = await runCli(['render', scene, '--gif-max-size', '150kB', '--redis', redis.url, '--store', store(), '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/budget\.gif \(\d+x\d+, [\d.]+ fps, \d+ colours to fit 0\.15 MB/);
    expect(worker.output()).toMatch(/budget: choosing the encoding settings/);
    expect(sha256(readFileSync(`${out}.gif`))).toBe(sha256(readFileSync(join(dir.path, 'local', 'budget.gif'))));
    expect(readFileSync(`${out}.gif`).length).toBeLessThanOrEqual(150_000);
  });

  it.skipIf(!canMount)('a full chunk store fails the render naming the full store, in words, and nothing is left half-written', async () => {
    const disk = mountTmpfs(512);
    try {
      const worker = start(['worker', '--redis', redis.url, '--store', disk.path, '--workers', '1'], dir.path);
      workers.push(worker);
      await worker.waitFor(/connected to/);
      disk.fill(8 * 1024);
      const scene = writeScene(dir.path, 'small', SMALL);
      const out = join(dir.path, 'cluster', 'full');
      const result = await runCli(['render', scene, '--redis', redis.url, '--store', disk.path, '--out', out]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/failed after 3 attempts: .*(disk is full|chunk store \S+ is full|: it is full)/);
      expect(result.stderr).not.toMatch(/ENOSPC|\n\s+at /);
      expect(existsSync(`${out}.mp4`)).toBe(false);
      // The worker may still be on another piece: stopped, it finishes (or fails) that one and clears up after itself.
      worker.child.kill('SIGTERM');
      await worker.exited;
      disk.unfill();
      expect(readdirSync(disk.path, { recursive: true }).map(String).filter((f) => /partial/.test(f))).toEqual([]);
    } finally {
      disk.remove();
    }
  });

  it('a worker refuses a job that is not a well-formed scene payload, without retrying it, and stops cleanly on SIGTERM', async () => {
    mkdirSync(store(), { recursive: true });
    const worker = startWorker();
    await worker.waitFor(/connected to/);
    const { Queue } = await import('bullmq');
    const queue = new Queue('cppn-motion-chunks', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const job = JSON.parse(JSON.stringify(pieceJob(smallLoaded(), { start: 0, end: 4 }, ['gif'], gifSettings, toolIdentity(['gif']))));
      job.scene.network = { layers: { depth: -1 } };
      await queue.add('piece', job, { jobId: 'bad', attempts: 3 });
      await worker.waitFor(/refused job bad: not a well-formed cluster job: its scene is not valid/);
      await sleep(500);
      const failed = await queue.getJob('bad');
      expect(await failed!.getState()).toBe('failed');
      expect(failed!.attemptsMade).toBe(1);
      expect(readdirSync(store()).filter((f) => !f.startsWith('.'))).toEqual([]);
    } finally {
      await queue.close();
    }
    // And it stops cleanly when told to.
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/SIGTERM: finishing the job in hand, then stopping[^]*stopped/);
  });

  it('a GPU render waits for a GPU worker: a worker without one never takes its pieces, the coordinator and doctor say none is connected, and Ctrl-C takes the pieces off the queue', async () => {
    const scene = writeScene(dir.path, 'small', SMALL.replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [mp4]'));
    // --backend cpu: a worker without a GPU, whatever this machine has.
    const cpuOnly = startWorker(['--backend', 'cpu']);
    await cpuOnly.waitFor(/connected to/);
    expect(cpuOnly.output()).toMatch(/CPU jobs only, on 1 thread \(the CPU was asked for\)/);
    const out = join(dir.path, 'cluster', 'waits-for-gpu');
    const render = start(['render', scene, '--redis', redis.url, '--store', store(), '--backend', 'gpu', '--out', out], dir.path);
    await render.waitFor(/rendering on the GPU workers of the cluster at redis:\/\/\S+, pieces in /);
    const said = await render.waitFor(/warning: no worker that renders on the GPU is connected to (redis:\/\/\S+) \(1 worker connected, on the CPU only\); the GPU jobs wait for one \(a CPU worker never takes them\): start one on a machine with a GPU with: cppn-motion worker --redis \S+ --backend gpu/, 30_000);
    expect(said[1]).toBe(redis.url);
    const doctor = await runCli(['doctor', '--redis', redis.url]);
    const waiting = /^ +gpu: (\d+) waiting, 0 active/m.exec(doctor.stdout);
    expect(Number(waiting?.[1]), doctor.stdout).toBeGreaterThan(0);
    expect(doctor.stdout).toMatch(/workers: +1 connected: 1 takes CPU jobs, 0 take GPU jobs/);
    expect(doctor.stdout).toMatch(/cppn-motion \S+, CPU jobs only$/m);
    expect(doctor.stdout).toMatch(/no worker takes GPU jobs: \d+ wait for one \(start one with: cppn-motion worker --redis \S+ --backend gpu on a machine with a GPU\)/);
    expect(cpuOnly.output()).not.toMatch(/rendering|refused/);
    render.child.kill('SIGINT');
    expect((await render.exited).code).toBe(130);
    expect(existsSync(`${out}.mp4`)).toBe(false);
    // Nobody started them: they leave the queue with the render.
    expect((await runCli(['doctor', '--redis', redis.url])).stdout).toMatch(/^ +gpu: 0 waiting, 0 active/m);
  });

  it('a GPU job put by hand where CPU jobs wait is refused by a worker without a GPU, once, saying why', async () => {
    mkdirSync(store(), { recursive: true });
    const worker = startWorker(['--backend', 'cpu']);
    await worker.waitFor(/connected to/);
    const { Queue } = await import('bullmq');
    const queue = new Queue('cppn-motion-chunks', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      await queue.add('piece', pieceJob(smallLoaded(), { start: 0, end: 4 }, ['gif'], gifSettings, toolIdentity(['gif'], 'gpu')), { jobId: 'gpu-by-hand', attempts: 3 });
      await worker.waitFor(/refused job gpu-by-hand: refused: the job asks for the GPU, this worker renders on the CPU only \(pixels differ between backends, and a video is never a mix\); GPU jobs go to workers started on a machine with a GPU/);
      await sleep(500);
      const failed = await queue.getJob('gpu-by-hand');
      expect(await failed!.getState()).toBe('failed');
      expect(failed!.attemptsMade).toBe(1);
      expect(worker.output()).not.toMatch(/rendering/);
    } finally {
      await queue.close();
    }
  });

  it('a job that is a user mistake found only while rendering (a thumbnail past the end of a scene that does not loop) fails once, in its words, without retries', async () => {
    mkdirSync(store(), { recursive: true });
    const worker = startWorker();
    await worker.waitFor(/connected to/);
    const { Queue } = await import('bullmq');
    const queue = new Queue('cppn-motion-chunks', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const once = sceneFromFile(validateSceneData(parse(SMALL.replace('loop: true', 'loop: false').replace('name: small', 'name: once').replace('duration: 16', 'duration: 1').replace('at: 8,', 'at: 0.5,'))), 'once.yaml', '/', 'once');
      await queue.add('item', itemJob(once, ['gif'], toolIdentity(['gif']), { size: [16, 16], at: 100 }), { jobId: 'past-the-end', attempts: 3 });
      await worker.waitFor(/once \(whole\): failed: .*past the end/);
      await sleep(500);
      const failed = await queue.getJob('past-the-end');
      expect(await failed!.getState()).toBe('failed');
      expect(failed!.attemptsMade).toBe(1);
      expect(failed!.failedReason).toMatch(/past the end of .* \(on \S+, cppn-motion /);
      expect(worker.output().match(/once \(whole\): rendering/g)).toHaveLength(1);
    } finally {
      await queue.close();
    }
  });

  it('a job whose data is not JSON fails once, is reported once, and leaves the active list', async () => {
    const { Queue } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const queue = new Queue('cppn-motion-chunks', { connection: { host: '127.0.0.1', port: redis.port } });
    const client = new Redis(redis.port, '127.0.0.1');
    try {
      await queue.add('piece', { format: 2 }, { jobId: 'garbled', attempts: 3 });
      await client.hset('bull:cppn-motion-chunks:garbled', 'data', '{ not json');
      const worker = startWorker();
      await worker.waitFor(/refused job garbled: not a well-formed cluster job: the job data is not JSON/);
      // Long enough for a job stuck in the active list to be found stalled and handed out again (every 5 s).
      await sleep(12_000);
      // Its data still cannot be read, so the job is looked at field by field.
      expect(await queue.getJobState('garbled')).toBe('failed');
      expect(await client.hget('bull:cppn-motion-chunks:garbled', 'failedReason')).toMatch(/the job data is not JSON \(refused by /);
      expect(await queue.getActiveCount()).toBe(0);
      expect(worker.output().match(/refused job garbled/g)).toHaveLength(1);
      const doctor = await runCli(['doctor', '--redis', redis.url]);
      expect(doctor.code, doctor.stderr).toBe(0);
      expect(doctor.stdout).toMatch(/failed: +cpu garbled: not a well-formed cluster job: the job data is not JSON/);
    } finally {
      client.disconnect();
      await queue.close();
    }
  });

  it('a worker that loses the lock on its job stops rendering it, and the job is done again', async () => {
    // Pieces that take long enough on one thread for the lock to be lost mid-piece.
    const scene = writeScene(dir.path, 'slow', HEAVY.replace('name: heavy', 'name: slow').replace('width: 16', 'width: 96'));
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.port, '127.0.0.1');
    try {
      const worker = startWorker();
      await worker.waitFor(/connected to/);
      const out = join(dir.path, 'cluster', 'slow-lock');
      const render = start(['render', scene, '--redis', redis.url, '--store', store(), '--out', out], dir.path);
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

  it('a store clean-up that fails after the outputs are in place is a warning: the render succeeds', async () => {
    const worker = startWorker();
    await worker.waitFor(/connected to/);
    const real = createDirectoryStore(store());
    // The pieces' folder cannot be removed (a store on a share gone read-only at the very end, say).
    const stubborn: ChunkStore = { location: real.location, ready: () => real.ready(), has: (key: string) => real.has(key), open: (key: string) => real.open(key), create: (key: string) => real.create(key), remove: (key: string) => real.remove(key), removeSet: async () => Promise.reject(new Error('the share went read-only')) };
    const notices: string[] = [];
    const backend = await createClusterBackend({ redisUrl: redis.url, store: stubborn, onNotice: (message) => notices.push(message) });
    try {
      const loaded = sceneFromFile(validateSceneData(parse(SMALL.replace('name: small', 'name: tidy').replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [mp4]'))), 'tidy.yaml', '/', 'tidy');
      const outStem = join(dir.path, 'cluster', 'tidy');
      const result = await renderVideo(loaded, { outStem, backend });
      expect(result.outputs.map((o) => o.path)).toEqual([`${outStem}.mp4`]);
      expect(existsSync(`${outStem}.mp4`)).toBe(true);
      expect(notices.join('\n')).toMatch(/tidy is complete, but its pieces could not be removed from the chunk store .*\(the share went read-only\)/);
    } finally {
      await backend.close();
    }
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
