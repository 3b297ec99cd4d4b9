/**
 * What a cluster refuses, and how it says so: pieces that cannot be stored or
 * coded, a store the coordinator cannot see, workers of another version or
 * without a GPU, jobs that are not well formed, user mistakes found by a
 * worker. Real processes, as in cluster.test.ts.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, writeScene } from './helpers.js';
import { start } from './cli-process.js';
import { gifSettings, SMALL, smallLoaded, useCluster } from './cluster-rig.js';
import { locateFfmpeg } from '../src/encode/ffmpeg.js';
import { canMount, mountTmpfs } from './mounts.js';
import { needs } from './system-parts.js';
import { itemJob, pieceJob } from '../src/cluster/chunk-job.js';
import { toolIdentity } from '../src/cluster/tool-identity.js';
import { sceneFromFile, validateSceneData } from '../src/scene/index.js';
import { parse } from 'yaml';
import { FULL_TIER_ONLY } from './tier.js';

describe('a cluster refuses what it cannot do, once, in words', needs('redis-server'), () => {
  const rig = useCluster();
  const ffmpegPath = (): string => locateFfmpeg().path;

  it('a piece that cannot be stored on any attempt fails the render with the piece and the cause in words, and nothing appears under the final name', async () => {
    const scene = writeScene(rig.dir, 'small', SMALL);
    // The worker's store disappears after it started: every piece it renders fails to be written.
    const brokenStore = join(rig.dir, 'broken-store');
    const worker = start(['worker', '--redis', rig.redis.url, '--store', brokenStore, '--workers', '1'], rig.dir);
    rig.track(worker);
    await worker.waitFor(/connected to/);
    rmSync(brokenStore, { recursive: true });
    writeFileSync(brokenStore, 'not a folder');
    const out = join(rig.dir, 'cluster', 'failing');
    const result = await runCli(['render', scene, '--redis', rig.redis.url, '--store', rig.store(), '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: frames \d+–\d+ of small failed after 3 attempts: cannot write to the chunk store .*broken-store: a file stands where a folder is needed/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(`${out}.mp4`)).toBe(false);
    expect(existsSync(`${out}.gif`)).toBe(false);
    expect(existsSync(`${out}-frames`)).toBe(false);
  });

  it('a worker writing to another store than the coordinator reads is named, instead of waiting forever', async () => {
    const scene = writeScene(rig.dir, 'small', SMALL);
    const worker = start(['worker', '--redis', rig.redis.url, '--store', join(rig.dir, 'elsewhere'), '--workers', '1'], rig.dir);
    rig.track(worker);
    await worker.waitFor(/connected to/);
    const out = join(rig.dir, 'cluster', 'elsewhere');
    const result = await runCli(['render', scene, '--redis', rig.redis.url, '--store', rig.store(), '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: frames \d+–\d+ of small was made by \S+, but is not in the chunk store .*; every worker and the coordinator need the same shared --store/);
    expect(existsSync(`${out}.mp4`)).toBe(false);
  });

  // Full tier: a piece failing every attempt, in words, is checked above (it cannot be stored).
  it('a piece that fails to encode fails the render after its attempts, in the encoder\'s words, and nothing appears under the final names', FULL_TIER_ONLY, async () => {
    const scene = writeScene(rig.dir, 'small', SMALL.replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [gif, mp4]'));
    // An ffmpeg that names itself as the real one (so the worker is not refused) but cannot code anything.
    const fake = join(rig.dir, 'broken-ffmpeg');
    writeFileSync(fake, `#!/bin/sh\nfor a in "$@"; do case "$a" in -version|-encoders|-filters) exec "${ffmpegPath()}" "$@";; esac; done\necho "x264 [error]: broken on purpose" >&2\nexit 1\n`, { mode: 0o755 });
    const worker = start(['worker', '--redis', rig.redis.url, '--store', rig.store(), '--workers', '1'], rig.dir, { FFMPEG_PATH: fake });
    rig.track(worker);
    await worker.waitFor(/connected to/);
    const out = join(rig.dir, 'cluster', 'unencodable');
    const result = await runCli(['render', scene, '--redis', rig.redis.url, '--store', rig.store(), '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: frames \d+–\d+ of small failed after 3 attempts: mp4 small \(frames \d+–\d+\): ffmpeg stopped \(exit code 1\): x264 \[error\]: broken on purpose/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(`${out}.mp4`)).toBe(false);
    expect(existsSync(`${out}.gif`)).toBe(false);
    // The worker left nothing half-written in the store (stopped, it first fails the piece in hand, if any).
    worker.child.kill('SIGTERM');
    await worker.exited;
    const leftovers = existsSync(rig.store()) ? readdirSync(rig.store(), { recursive: true }).map(String).filter((f) => /partial/.test(f)) : [];
    expect(leftovers).toEqual([]);
  });

  it('a worker of another cppn-motion version refuses the jobs, by version, and doctor shows it', async () => {
    // The same build under another version number: what an older or newer install would be.
    const other = join(rig.dir, 'other-version');
    mkdirSync(other, { recursive: true });
    cpSync(join(ROOT, 'dist'), join(other, 'dist'), { recursive: true });
    writeFileSync(join(other, 'package.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')), version: '0.0.0-other' }));
    if (!existsSync(join(other, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(other, 'node_modules'));
    // On the CPU only, so that doctor's line is the same on a machine with a GPU.
    const worker = start([join(other, 'dist', 'cli', 'main.js'), 'worker', '--redis', rig.redis.url, '--store', rig.store(), '--workers', '1', '--backend', 'cpu'], rig.dir, {}, true);
    rig.track(worker);
    await worker.waitFor(/connected to/);
    const doctor = await runCli(['doctor', '--redis', rig.redis.url]);
    expect(doctor.stdout).toMatch(/cppn-motion 0\.0\.0-other, CPU jobs only — not \S+ like this one: it refuses this version's jobs/);
    const scene = writeScene(rig.dir, 'small', SMALL);
    const out = join(rig.dir, 'cluster', 'mixed');
    const result = await runCli(['render', scene, '--redis', rig.redis.url, '--store', rig.store(), '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: frames \d+–\d+ of small failed after 1 attempt: refused: the job comes from cppn-motion \S+, this worker runs 0\.0\.0-other; run the same version on the coordinator and every worker \(refused by /);
    expect(existsSync(`${out}.mp4`)).toBe(false);
    expect(worker.output()).not.toMatch(/rendering/);
  });

  // Full tier: a store that cannot take a piece is checked above.
  it.skipIf(!canMount)('a full chunk store fails the render naming the full store, in words, and nothing is left half-written', FULL_TIER_ONLY, async () => {
    const disk = mountTmpfs(512);
    try {
      const worker = start(['worker', '--redis', rig.redis.url, '--store', disk.path, '--workers', '1'], rig.dir);
      rig.track(worker);
      await worker.waitFor(/connected to/);
      disk.fill(8 * 1024);
      const scene = writeScene(rig.dir, 'small', SMALL);
      const out = join(rig.dir, 'cluster', 'full');
      const result = await runCli(['render', scene, '--redis', rig.redis.url, '--store', disk.path, '--out', out]);
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
    const worker = await rig.readyWorker();
    const queue = await rig.handQueue();
    const job = JSON.parse(JSON.stringify(pieceJob(smallLoaded(), { start: 0, end: 4 }, ['gif'], gifSettings, toolIdentity(['gif']))));
    job.scene.network = { layers: { depth: -1 } };
    await queue.add('piece', job, { jobId: 'bad', attempts: 3 });
    await worker.waitFor(/refused job bad: not a well-formed cluster job: its scene is not valid/);
    await sleep(500);
    const failed = await queue.getJob('bad');
    expect(await failed!.getState()).toBe('failed');
    expect(failed!.attemptsMade).toBe(1);
    expect(readdirSync(rig.store()).filter((f) => !f.startsWith('.'))).toEqual([]);
    // And it stops cleanly when told to.
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/SIGTERM: finishing the job in hand, then stopping[^]*stopped/);
  });

  // Full tier: most of it is the coordinator's 10 s of patience; a CPU worker refusing a GPU job is checked below, GPU routing in cluster-gpu.test.ts.
  it('a GPU render waits for a GPU worker: a worker without one never takes its pieces, the coordinator and doctor say none is connected, and Ctrl-C takes the pieces off the queue', FULL_TIER_ONLY, async () => {
    const scene = writeScene(rig.dir, 'small', SMALL.replace('formats: [png, mp4, gif, webm, webp, apng]', 'formats: [mp4]'));
    // --backend cpu: a worker without a GPU, whatever this machine has.
    const cpuOnly = rig.startWorker(['--backend', 'cpu']);
    await cpuOnly.waitFor(/connected to/);
    expect(cpuOnly.output()).toMatch(/CPU jobs only, on 1 thread \(the CPU was asked for\)/);
    const out = join(rig.dir, 'cluster', 'waits-for-gpu');
    const render = start(['render', scene, '--redis', rig.redis.url, '--store', rig.store(), '--backend', 'gpu', '--out', out], rig.dir);
    await render.waitFor(/rendering on the GPU workers of the cluster at redis:\/\/\S+, pieces in /);
    const said = await render.waitFor(/warning: no worker that renders on the GPU is connected to (redis:\/\/\S+) \(1 worker connected, on the CPU only\); the GPU jobs wait for one \(a CPU worker never takes them\): start one on a machine with a GPU with: cppn-motion worker --redis \S+ --backend gpu/, 30_000);
    expect(said[1]).toBe(rig.redis.url);
    const doctor = await runCli(['doctor', '--redis', rig.redis.url]);
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
    expect((await runCli(['doctor', '--redis', rig.redis.url])).stdout).toMatch(/^ +gpu: 0 waiting, 0 active/m);
  });

  it('a GPU job put by hand where CPU jobs wait is refused by a worker without a GPU, once, saying why', async () => {
    const worker = await rig.readyWorker(['--backend', 'cpu']);
    const queue = await rig.handQueue();
    await queue.add('piece', pieceJob(smallLoaded(), { start: 0, end: 4 }, ['gif'], gifSettings, toolIdentity(['gif'], 'gpu')), { jobId: 'gpu-by-hand', attempts: 3 });
    await worker.waitFor(/refused job gpu-by-hand: refused: the job asks for the GPU, this worker renders on the CPU only \(pixels differ between backends, and a video is never a mix\); GPU jobs go to workers started on a machine with a GPU/);
    await sleep(500);
    const failed = await queue.getJob('gpu-by-hand');
    expect(await failed!.getState()).toBe('failed');
    expect(failed!.attemptsMade).toBe(1);
    expect(worker.output()).not.toMatch(/rendering/);
  });

  it('a job that is a user mistake found only while rendering (a thumbnail past the end of a scene that does not loop) fails once, in its words, without retries', async () => {
    const worker = await rig.readyWorker();
    const queue = await rig.handQueue();
    const once = sceneFromFile(validateSceneData(parse(SMALL.replace('loop: true', 'loop: false').replace('name: small', 'name: once').replace('duration: 16', 'duration: 1').replace('at: 8,', 'at: 0.5,'))), 'once.yaml', '/', 'once');
    await queue.add('item', itemJob(once, ['gif'], toolIdentity(['gif']), { size: [16, 16], at: 100 }), { jobId: 'past-the-end', attempts: 3 });
    await worker.waitFor(/once \(whole\): failed: .*past the end/);
    await sleep(500);
    const failed = await queue.getJob('past-the-end');
    expect(await failed!.getState()).toBe('failed');
    expect(failed!.attemptsMade).toBe(1);
    expect(failed!.failedReason).toMatch(/past the end of .* \(on \S+, cppn-motion /);
    expect(worker.output().match(/once \(whole\): rendering/g)).toHaveLength(1);
  });

  // Full tier: it waits for stall checks; the refusal of a job that is not well formed is checked above.
  it('a job whose data is not JSON fails once, is reported once, and leaves the active list', FULL_TIER_ONLY, async () => {
    const { Redis } = await import('ioredis');
    const queue = await rig.handQueue();
    const client = new Redis(rig.redis.port, '127.0.0.1');
    try {
      await queue.add('piece', { format: 2 }, { jobId: 'garbled', attempts: 3 });
      await client.hset('bull:cppn-motion-chunks:garbled', 'data', '{ not json');
      const worker = rig.startWorker(['--lock-seconds', '3']);
      await worker.waitFor(/refused job garbled: not a well-formed cluster job: the job data is not JSON/);
      // Long enough for a job stuck in the active list to be found stalled and handed out again (every 1.5 s here).
      await sleep(5_000);
      // Its data still cannot be read, so the job is looked at field by field.
      expect(await queue.getJobState('garbled')).toBe('failed');
      expect(await client.hget('bull:cppn-motion-chunks:garbled', 'failedReason')).toMatch(/the job data is not JSON \(refused by /);
      expect(await queue.getActiveCount()).toBe(0);
      expect(worker.output().match(/refused job garbled/g)).toHaveLength(1);
      const doctor = await runCli(['doctor', '--redis', rig.redis.url]);
      expect(doctor.code, doctor.stderr).toBe(0);
      expect(doctor.stdout).toMatch(/failed: +cpu garbled: not a well-formed cluster job: the job data is not JSON/);
    } finally {
      client.disconnect();
    }
  });
});
