/**
 * GPU workers on the cluster: a real redis-server, real worker processes
 * rendering on the GPU (SwiftShader where there is no hardware one; see
 * gpu-helpers.ts), the real CLI as coordinator. A GPU render's pieces are
 * rendered by GPU workers only and within the GPU's bound of the CPU; a GPU
 * worker renders CPU jobs on its threads, byte for byte as a local render.
 * (A worker without a GPU leaving GPU jobs alone is in cluster-refusals.test.ts: it
 * needs no GPU.) SwiftShader is slow: the pictures are tiny.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSceneMetadata } from '../src/encode/metadata.js';
import { VERSION } from '../src/tool-version.js';
import { start, type Running } from './cli-process.js';
import { withinGpuBound } from './fidelity.js';
import { testGpu } from './gpu-helpers.js';
import { ffprobe, readPng, runCli, sha256, smallScene, tempDir, writeScene } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';
import { needs } from './system-parts.js';

const gpu = await testGpu();

/** 24 frames: two pieces. */
const tiny = (name: string, formats: string): string => smallScene(name).replace('duration: 1', 'duration: 2').replace('formats: [mp4, gif]', `formats: [${formats}]`);

describe(`GPU workers on the cluster, on ${gpu.adapter?.name ?? 'no adapter'}`, needs('redis-server', ['gpu', gpu.missing === undefined]), () => {
  let redis: TestRedis;
  let dir: ReturnType<typeof tempDir>;
  const workers: Running[] = [];
  const store = (): string => join(dir.path, 'store');
  const startWorker = (backend: 'gpu' | 'cpu'): Running => {
    const worker = start(['worker', '--redis', redis.url, '--store', store(), '--workers', '1', '--backend', backend], dir.path);
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    redis = await startRedis();
    dir = tempDir();
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    await redis.restart(0);
  });
  afterAll(async () => {
    await redis?.stop();
    dir?.remove();
  });

  it('render --redis --backend gpu: every piece on a GPU worker, every frame within the GPU\'s bound of a local CPU render, recorded as gpu; doctor shows what each worker serves', async () => {
    const scene = writeScene(dir.path, 'tiny', tiny('tiny', 'mp4, png'));
    const reference = join(dir.path, 'local', 'tiny');
    const local = await runCli(['render', scene, '--backend', 'cpu', '--out', reference, '-q']);
    expect(local.code, local.stderr).toBe(0);
    const [onGpu, cpuOnly] = [startWorker('gpu'), startWorker('cpu')];
    await Promise.all([onGpu.waitFor(/connected to/), cpuOnly.waitFor(/connected to/)]);
    expect(onGpu.output()).toContain(`GPU jobs on ${gpu.adapter!.name} and CPU jobs on 1 thread (started with the first CPU job)`);

    const doctor = await runCli(['doctor', '--redis', redis.url]);
    expect(doctor.stdout).toMatch(/workers: +2 connected: 2 take CPU jobs, 1 takes GPU jobs/);
    expect(doctor.stdout).toContain(`cppn-motion ${VERSION}, GPU jobs on ${gpu.adapter!.name}, and CPU jobs`);
    expect(doctor.stdout).toContain(`cppn-motion ${VERSION}, CPU jobs only`);

    const out = join(dir.path, 'cluster', 'tiny');
    const result = await runCli(['render', scene, '--redis', redis.url, '--store', store(), '--backend', 'gpu', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/rendering on the GPU workers of the cluster at redis:\/\/\S+, pieces in /);
    const probe = await ffprobe(`${out}.mp4`);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', nb_read_frames: '24' });
    // Several GPU workers may share a video: the record names the backend, not one adapter.
    expect(JSON.parse(await readSceneMetadata(`${out}.mp4`)).rendered).toEqual({ backend: 'gpu' });
    const frames = readdirSync(`${out}-frames`).sort();
    expect(frames).toEqual(readdirSync(`${reference}-frames`).sort());
    expect(frames).toHaveLength(24);
    for (const frame of frames) {
      const [g, c] = await Promise.all([readPng(join(`${out}-frames`, frame)), readPng(join(`${reference}-frames`, frame))]);
      const { ok, within, psnr } = withinGpuBound(g.data, c.data, false);
      expect(ok, `${frame}: ${(within * 100).toFixed(2)} % within ±2, PSNR ${psnr.toFixed(1)} dB`).toBe(true);
    }
    expect(onGpu.output()).toMatch(/tiny frames 0–11: rendering on the GPU/);
    expect(onGpu.output()).toMatch(/tiny frames 12–23: rendering on the GPU/);
    expect(cpuOnly.output()).not.toMatch(/rendering|refused/);
  });

  it('a GPU worker renders a CPU render\'s pieces (--backend auto with --redis) on its threads, byte for byte those of a local render', async () => {
    const scene = writeScene(dir.path, 'exact', tiny('exact', 'mp4, gif, png'));
    const reference = join(dir.path, 'local', 'exact');
    const local = await runCli(['render', scene, '--backend', 'cpu', '--out', reference, '-q']);
    expect(local.code, local.stderr).toBe(0);
    const onGpu = startWorker('gpu');
    await onGpu.waitFor(/connected to/);
    const out = join(dir.path, 'cluster', 'exact');
    const result = await runCli(['render', scene, '--redis', redis.url, '--store', store(), '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/rendering on the cluster at redis:\/\/\S+, pieces in /);
    for (const ext of ['mp4', 'gif']) expect(sha256(readFileSync(`${out}.${ext}`)), ext).toBe(sha256(readFileSync(`${reference}.${ext}`)));
    const frames = readdirSync(`${out}-frames`).sort();
    expect(frames).toHaveLength(24);
    for (const frame of frames) expect(sha256((await readPng(join(`${out}-frames`, frame))).data), frame).toBe(sha256((await readPng(join(`${reference}-frames`, frame))).data));
    expect(JSON.parse(await readSceneMetadata(`${out}.mp4`)).rendered).toEqual({ backend: 'cpu' });
    expect(onGpu.output()).toMatch(/exact frames 0–11: rendering on the CPU/);
    expect(onGpu.output()).not.toMatch(/rendering on the GPU/);
  });

  it('batch --redis --backend gpu: each item rendered whole on a GPU worker and recorded as gpu, with the contact sheet; a second run finds them current', async () => {
    const scene = writeScene(dir.path, 'series', tiny('series', 'gif'));
    const onGpu = startWorker('gpu');
    await onGpu.waitFor(/connected to/);
    const folder = join(dir.path, 'batch');
    const result = await runCli(['batch', scene, '--seeds', '1,2', '--redis', redis.url, '--store', store(), '--backend', 'gpu', '--out', folder]);
    expect(result.code, result.stderr).toBe(0);
    for (const item of ['series-seed-01', 'series-seed-02']) {
      expect(JSON.parse(await readSceneMetadata(join(folder, 'series', `${item}.gif`))).rendered).toEqual({ backend: 'gpu' });
    }
    expect(onGpu.output().match(/series-seed-0[12] \(whole\): rendering on the GPU/g)).toHaveLength(2);
    expect(existsSync(join(folder, 'series', 'contact-sheet.png'))).toBe(true);
    // Run again: the items are current (the same backend), nothing is rendered.
    const again = await runCli(['batch', scene, '--seeds', '1,2', '--redis', redis.url, '--store', store(), '--backend', 'gpu', '--out', folder]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/summary: 0 done, 2 skipped, 0 failed/);
  });
});
