/**
 * The GPU backend (WebGPU through Dawn) against the CPU, the reference: every
 * example scene and a small scene per activation within the GPU's bound,
 * antialiasing, tiles, a lost device, and the command line end to end. On a
 * machine without a GPU these run on SwiftShader (see gpu-helpers.ts), which
 * is slow: the pictures are small.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSceneMetadata } from '../src/encode/metadata.js';
import { GpuError } from '../src/errors.js';
import { createGpuBackend, tileRegions, type GpuBackend } from '../src/render/gpu/gpu-backend.js';
import { scheduleFrames } from '../src/render/scheduler.js';
import { renderStill, stillTime } from '../src/render/still.js';
import { applyOverrides, loadScene, type LoadedScene } from '../src/scene/index.js';
import { activationParityScene, agreement, CHAOTIC, PARITY_ACTIVATIONS, withinGpuBound } from './fidelity.js';
import { testGpu } from './gpu-helpers.js';
import { CLI, ffprobe, readPng, ROOT, runCli, smallScene, temporaries, tempDir, writeScene } from './helpers.js';
import { needs } from './system-parts.js';
import { EXAMPLE_PICKS, FULL_TIER_ONLY, PARITY_ACTIVATION_PICKS, representative } from './tier.js';

const SCENES = join(ROOT, 'scenes');
const gpu = await testGpu();

/** Expects the GPU's picture within the bound of the CPU's, naming the picture and the figures when not. */
function expectParity(gpuPixels: Uint8Array, cpuPixels: Uint8Array | Uint8ClampedArray, chaotic: boolean, what: string): void {
  const { ok, within, psnr } = withinGpuBound(gpuPixels, cpuPixels, chaotic);
  expect(ok, `${what}: ${(within * 100).toFixed(2)} % of values within ±2, PSNR ${psnr.toFixed(1)} dB`).toBe(true);
}

async function allFrames(backend: GpuBackend, loaded: LoadedScene, onProgress?: () => void): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for await (const frame of scheduleFrames(backend, loaded, { onProgress })) frames.push(frame.slice());
  return frames;
}

describe(`the GPU backend on ${gpu.adapter?.name ?? 'no adapter'}`, needs(['gpu', gpu.missing === undefined]), () => {
  let backend: GpuBackend;
  let dir: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    backend = await createGpuBackend();
    dir = tempDir();
  });
  afterAll(async () => {
    await backend?.close();
    dir?.remove();
  });

  describe('parity with the CPU for every example scene at two moments', () => {
    const names = readdirSync(SCENES).filter((f) => f.endsWith('.yaml') && f !== 'series.yaml').map((f) => f.replace(/\.yaml$/, ''));
    for (const [name, options] of representative(names, EXAMPLE_PICKS)) {
      it(name, { ...options, timeout: 300_000 }, async () => {
        const loaded = applyOverrides(loadScene(join(SCENES, `${name}.yaml`)), { size: [64, 48] });
        for (const at of [0, 1.3]) {
          const time = stillTime(loaded, Math.min(at, loaded.scene.output.duration));
          const shown = await backend.picture(loaded, { time });
          const cpu = await renderStill(loaded, { at: time, workers: 1 });
          expectParity(shown.data, cpu.data, CHAOTIC.has(name), `${name} at ${time} s`);
        }
      });
    }
  });

  describe('parity with the CPU for a small scene per activation', () => {
    for (const [name, options] of representative(PARITY_ACTIVATIONS, PARITY_ACTIVATION_PICKS)) {
      it(name, { ...options, timeout: 300_000 }, async () => {
        const loaded = loadScene(writeScene(dir.path, `activation-${name}`, activationParityScene(name, [48, 32])));
        for (const at of [0.4, 1.5]) {
          const shown = await backend.picture(loaded, { time: at });
          const cpu = await renderStill(loaded, { at, workers: 1 });
          expectParity(shown.data, cpu.data, name === 'logistic', `${name} at ${at} s`);
        }
      });
    }
  });

  it('antialiases on the GPU as the CPU does (n×n samples per pixel, averaged)', async () => {
    const scene = loadScene(join(SCENES, 'mondrian.yaml'));
    const plain = applyOverrides(scene, { size: [64, 48] });
    const smooth = applyOverrides(scene, { size: [64, 48], antialias: 3 });
    const smoothGpu = await backend.picture(smooth, { time: 1 });
    expectParity(smoothGpu.data, (await renderStill(smooth, { at: 1, workers: 1 })).data, false, 'antialias 3');
    // The samples do change the picture: it is not the plain one.
    expect(agreement(smoothGpu.data, (await backend.picture(plain, { time: 1 })).data, 0).within).toBeLessThan(0.98);
  }, 300_000);

  // Bands of four rows, and tiles narrower than a row (20 pixels: 2 columns a row); the quick
  // tier runs the tiles, which are placed by both coordinates (the bands' places are in tileRegions' own test).
  for (const [maxTilePixels, options] of representative([100, 20], [20])) {
    it(`splits frames too large for one buffer into ${maxTilePixels === 20 ? 'tiles narrower than a row' : 'bands of rows'}, with the same pixels`, { ...options, timeout: 300_000 }, async () => {
      const loaded = applyOverrides(loadScene(join(SCENES, 'drift.yaml')), { size: [24, 16], duration: 0.25, fps: 12 });
      const whole = await allFrames(backend, loaded);
      const tiled = await createGpuBackend({ maxTilePixels });
      try {
        const frames = await allFrames(tiled, loaded);
        expect(frames.length).toBe(3);
        frames.forEach((frame, i) => expect(Buffer.from(frame).equals(Buffer.from(whole[i])), `frame ${i} with tiles of ${maxTilePixels} pixels`).toBe(true));
        expect(Buffer.from((await tiled.picture(loaded, { index: 1 })).data).equals(Buffer.from(whole[1]))).toBe(true);
      } finally {
        await tiled.close();
      }
    });
  }

  it('--workers bounds the cores that code the pieces when the GPU computes the pixels', async () => {
    const { createFrameBackend } = await import('../src/render/backend-choice.js');
    const decision = { kind: 'gpu' as const, adapter: gpu.adapter };
    for (const [workers, pieces] of [[2, 2], [8, 4]]) {
      const chosen = await createFrameBackend(decision, { workers });
      try {
        // One GIF thread and one x264 a piece: a piece coded at once per two cores.
        expect(chosen.backend.pieceWindow, `--workers ${workers}`).toBe(pieces);
      } finally {
        await chosen.backend.close();
      }
    }
  }, 60_000);

  it('an error the device reports outside any frame fails one picture, clearly, not every one after it', async () => {
    const loaded = applyOverrides(loadScene(join(SCENES, 'drift.yaml')), { size: [16, 16], duration: 0.25, fps: 12 });
    const own = await createGpuBackend();
    try {
      const before = await own.picture(loaded, { index: 1 });
      // A buffer both mappable for reading and a storage buffer is invalid: the device reports it, to no one in particular.
      own.device.createBuffer({ size: 16, usage: 0x0001 | 0x0080 /* MAP_READ | STORAGE */ });
      await expect(own.picture(loaded, { index: 1 })).rejects.toThrow(GpuError);
      const after = await own.picture(loaded, { index: 1 });
      expect(Buffer.from(after.data).equals(Buffer.from(before.data))).toBe(true);
    } finally {
      await own.close();
    }
  }, 60_000);

  it('keeps a bounded number of readback buffers for reuse and of scenes\' buffers, however many scenes of other sizes it renders, and none once closed', async () => {
    // Units of 2 frames, one in flight: 4 readbacks of a size in use at once at most.
    const own = await createGpuBackend({ unitFrames: 2, window: 1 });
    try {
      const scenes = Array.from({ length: 10 }, (_, i) => applyOverrides(loadScene(join(SCENES, 'drift.yaml')), { size: [8 + i, 8], duration: 0.25, fps: 12 }));
      const firstFrames = [];
      for (const loaded of scenes) {
        const frames = await allFrames(own, loaded);
        expect(frames).toHaveLength(3);
        firstFrames.push(frames);
      }
      // Ten sizes rendered; the spares of four sizes kept, each at most what a render holds at once.
      expect(own.stats.spareBuffers).toBeGreaterThan(0);
      expect(own.stats.spareBuffers).toBeLessThanOrEqual(4 * 4);
      // Ten scenes rendered; the buffers of the four used last kept.
      expect(own.stats.scenesOnDevice).toBe(4);
      // A scene rendered again after its buffers were let go gets them again, and the same pixels.
      expect(await allFrames(own, scenes[0])).toEqual(firstFrames[0]);
      expect(own.stats.scenesOnDevice).toBe(4);
    } finally {
      await own.close();
    }
    expect(own.stats.spareBuffers).toBe(0);
    expect(own.stats.scenesOnDevice).toBe(0);
  }, 120_000);

  it('renders the frame range again on a new device when the device is lost mid-render', async () => {
    const loaded = applyOverrides(loadScene(join(SCENES, 'drift.yaml')), { size: [24, 16], duration: 1, fps: 12 });
    const clean = await allFrames(backend, loaded);
    const losing = await createGpuBackend({ unitFrames: 4, window: 2 });
    try {
      const first = losing.device;
      let lost = false;
      const frames = await allFrames(losing, loaded, () => {
        if (!lost) {
          lost = true;
          first.destroy();
        }
      });
      expect(lost).toBe(true);
      expect(losing.device).not.toBe(first);
      expect(frames.length).toBe(clean.length);
      frames.forEach((frame, i) => expect(Buffer.from(frame).equals(Buffer.from(clean[i])), `frame ${i}`).toBe(true));
    } finally {
      await losing.close();
    }
  }, 300_000);

  // Full tier: a lost device and its retry are checked above.
  it('fails naming the cause when the device is lost again on the retry', { ...FULL_TIER_ONLY, timeout: 300_000 }, async () => {
    const loaded = applyOverrides(loadScene(join(SCENES, 'drift.yaml')), { size: [48, 32], duration: 0.5, fps: 12 });
    const losing = await createGpuBackend({ unitFrames: 6, window: 1 });
    try {
      const render = allFrames(losing, loaded, () => losing.device.destroy());
      await expect(render).rejects.toThrow(GpuError);
      await expect(render).rejects.toThrow(/the GPU device was lost while rendering frames 0–5, and again on the retry: device was destroyed/);
    } finally {
      await losing.close();
    }
  });

  describe('the command line', () => {
    it('render --backend gpu writes an MP4 of every frame, says it used the GPU and records it; --from renders on the backend asked for', async () => {
      const scene = writeScene(dir.path, 'small', smallScene('small'));
      const out = join(dir.path, 'gpu', 'small');
      const result = await runCli(['render', scene, '--backend', 'gpu', '--format', 'mp4', '--out', out]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`on the GPU: ${gpu.adapter!.name}`);
      const probe = await ffprobe(`${out}.mp4`);
      expect(probe.streams[0].nb_read_frames).toBe('12');
      expect(Number(probe.format.duration)).toBeCloseTo(1, 1);
      expect(JSON.parse(await readSceneMetadata(`${out}.mp4`)).rendered).toEqual({ backend: 'gpu', adapter: gpu.adapter!.name });

      // Asked for the CPU, a --from render is made and recorded on the CPU, whatever made its source.
      const again = await runCli(['still', '--from', `${out}.mp4`, '--backend', 'cpu', '--out', join(dir.path, 'from-gpu.png')]);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(await readSceneMetadata(join(dir.path, 'from-gpu.png'))).rendered).toEqual({ backend: 'cpu' });
    }, 300_000);

    it('still --backend gpu writes a PNG within the bound of the CPU still', async () => {
      const scene = writeScene(dir.path, 'still', smallScene('still'));
      const [onGpu, onCpu] = [join(dir.path, 'still-gpu.png'), join(dir.path, 'still-cpu.png')];
      const gpuRun = await runCli(['still', scene, '--backend', 'gpu', '--at', '0.3', '--out', onGpu]);
      expect(gpuRun.code, gpuRun.stderr).toBe(0);
      const cpuRun = await runCli(['still', scene, '--backend', 'cpu', '--at', '0.3', '--out', onCpu]);
      expect(cpuRun.code, cpuRun.stderr).toBe(0);
      expectParity(new Uint8Array((await readPng(onGpu)).data), (await readPng(onCpu)).data, false, 'still');
      expect(JSON.parse(await readSceneMetadata(onGpu)).rendered.backend).toBe('gpu');
    }, 300_000);

    it('batch --backend gpu renders every item on the GPU and records it', async () => {
      const scene = writeScene(dir.path, 'series', smallScene('series'));
      const result = await runCli(['batch', scene, '--seeds', '1,2', '--backend', 'gpu', '--format', 'gif', '--no-sheet', '--out', join(dir.path, 'batch')]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`rendering on the GPU: ${gpu.adapter!.name}`);
      for (const item of ['series-seed-01', 'series-seed-02']) {
        expect(JSON.parse(await readSceneMetadata(join(dir.path, 'batch', 'series', `${item}.gif`))).rendered.backend).toBe('gpu');
      }
    }, 300_000);

    it('doctor names the adapter, and says whether auto would use it', async () => {
      const result = await runCli(['doctor']);
      expect(result.stdout).toContain(`gpu:      ${gpu.adapter!.software ? 'software' : 'hardware'}: ${gpu.adapter!.description}`);
      expect(result.stdout).toMatch(gpu.adapter!.software ? /backend: +auto renders on the CPU \(a software adapter/ : /backend: +auto renders on the GPU/);
    });

    it.skipIf(!gpu.adapter?.software)('--backend auto renders on the CPU when the only adapter is a software one, and says why', async () => {
      const scene = writeScene(dir.path, 'auto', smallScene('auto'));
      const result = await runCli(['render', scene, '--format', 'gif', '--out', join(dir.path, 'auto', 'auto')]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/on the CPU \(\d+ threads?\); the only GPU adapter is a software one/);
      expect(JSON.parse(await readSceneMetadata(join(dir.path, 'auto', 'auto.gif'))).rendered).toEqual({ backend: 'cpu' });
    }, 300_000);

    it('Ctrl-C with frames in flight on the GPU stops cleanly: exit 130, nothing written', async () => {
      const scene = writeScene(dir.path, 'long', smallScene('long').replace('duration: 1', 'duration: 30'));
      const outDir = join(dir.path, 'interrupted');
      const child = spawn(process.execPath, [CLI, 'render', scene, '--backend', 'gpu', '--out', join(outDir, 'long')]);
      let stderr = '';
      const code = await new Promise<number | null>((done) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (/rendering long: \d+\/360 frames/.test(stderr) && !child.killed) child.kill('SIGINT');
        });
        child.on('close', done);
      });
      expect(code, stderr).toBe(130);
      expect(stderr).toContain('stopped: interrupted by SIGINT');
      expect(temporaries(dir.path)).toEqual([]);
      expect(existsSync(outDir) ? readdirSync(outDir) : []).toEqual([]);
    }, 300_000);
  });
});

describe.skipIf(process.platform !== 'linux')('--backend gpu without any adapter', () => {
  it('exits 2 saying there is no GPU and what to install', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'none.json'), '{}');
      const scene = writeScene(dir.path, 'small', smallScene('small'));
      // The Vulkan loader is pointed at a driver list with nothing in it.
      const result = await runCli(['render', scene, '--backend', 'gpu', '--out', join(dir.path, 'out', 'small')], { env: { VK_ICD_FILENAMES: join(dir.path, 'none.json') } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: --backend gpu: (Dawn found no GPU adapter|no Vulkan loader)/m);
      expect(result.stderr).toMatch(/^hint: install a Vulkan loader and your GPU's Vulkan driver \(Debian\/Ubuntu: sudo apt-get install libvulkan1/m);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(dir.path).sort()).toEqual(['none.json', 'small.yaml']);
      const doctor = await runCli(['doctor'], { env: { VK_ICD_FILENAMES: join(dir.path, 'none.json') } });
      expect(doctor.stdout).toMatch(/^gpu: +none: /m);
      expect(doctor.stdout).toContain('sudo apt-get install libvulkan1');
      // A cluster's worker asked for the GPU says the same before it takes any job (no Redis is reached).
      const worker = await runCli(['worker', '--redis', 'redis://127.0.0.1:1', '--store', join(dir.path, 'store'), '--backend', 'gpu'], { env: { VK_ICD_FILENAMES: join(dir.path, 'none.json') } });
      expect(worker.code).toBe(2);
      expect(worker.stderr).toMatch(/^error: --backend gpu: (Dawn found no GPU adapter|no Vulkan loader)/m);
      expect(worker.stderr).not.toMatch(/connected|cannot reach|\n\s+at /);
      expect(existsSync(join(dir.path, 'store'))).toBe(false);
    } finally {
      dir.remove();
    }
  });
});

describe('tiles of a frame too large for one buffer', () => {
  it('cover every pixel once, each within the limit: bands of whole rows, or pieces of a row', () => {
    for (const [width, height, maxPixels] of [[24, 16, 100], [24, 16, 20], [48, 32, 100], [7, 5, 3], [16, 16, 256], [16, 16, 1]]) {
      const regions = tileRegions(width, height, maxPixels);
      const covered = new Uint8Array(width * height);
      for (const { x, y, width: w, height: h } of regions) {
        expect(w * h, `${width}x${height} in ${maxPixels}`).toBeLessThanOrEqual(maxPixels);
        // A band is whole rows; a tile narrower than a row is one row high.
        expect(w === width || h === 1, `${width}x${height} in ${maxPixels}`).toBe(true);
        for (let row = y; row < y + h; row++) for (let col = x; col < x + w; col++) covered[row * width + col]++;
      }
      expect(covered.every((n) => n === 1), `${width}x${height} in ${maxPixels}`).toBe(true);
    }
    expect(tileRegions(24, 16, 100).map((r) => r.height)).toEqual([4, 4, 4, 4]);
    expect(tileRegions(24, 16, 20)).toHaveLength(32);
  });
});
