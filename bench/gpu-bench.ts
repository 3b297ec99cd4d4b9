/**
 * The GPU backend's benchmark (`npm run bench:gpu`): milliseconds per frame
 * for three workloads on the CPU kernels, the GPU backend and PyTorch (CUDA
 * where there is a GPU, else its CPU; skipped when python3 has no torch),
 * then one render to MP4 on each backend with where its time goes.
 *
 * W1: 512×512, x, y → 8 tanh layers of 16 → 3 sigmoid, normal(0, 1) weights.
 * W3: 1024×1024, x, y, r, t → 8 tanh layers of 32 → 3 sigmoid.
 * W3-1080p: W3 at 1920×1080.
 *
 * For the GPU three figures: "compute" (dispatches alone, back to back),
 * "frames" (the backend's pipelined stream: compute, copy back, map) and the
 * first picture (which includes compiling the pipeline).
 *
 * Options: --workloads W1,W3 (default all three), --frames N (GPU frames per
 * measure, default 30), --size WxH (every workload at this size: a quick
 * check), --render WxH@FPSxSECONDS (the render's size, rate and length;
 * default 512x512@30x4), --no-cpu-render, --no-torch.
 * Set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json to measure
 * SwiftShader where there is no GPU (and say so with the figures).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packGpuWeights, wgslComputeShader, WGSL_WORKGROUP, writeFrameInputs } from '../src/core/index.js';
import { encodeOptions } from '../src/render/encode-job.js';
import { FrameRenderer } from '../src/render/frame-renderer.js';
import { createGpuBackend, type GpuBackend } from '../src/render/gpu/gpu-backend.js';
import { codingCores, createLocalBackend, piecesHere } from '../src/render/local-backend.js';
import { scheduleFrames } from '../src/render/scheduler.js';
import { renderVideo } from '../src/render/video.js';
import { createEncoder } from '../src/encode/formats/index.js';
import { FrameBuilder } from '../src/scene/frames.js';
import { sceneFromFile, validateSceneData, type LoadedScene } from '../src/scene/index.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const flag = (name: string): boolean => args.includes(`--${name}`);

const WORKLOADS: Record<string, { size: [number, number]; network: unknown }> = {
  W1: { size: [512, 512], network: { inputs: ['x', 'y'], layers: { depth: 8, width: 16 }, activation: 'tanh', output: { channels: 3, activation: 'sigmoid' }, init: { normal: { std: 1 } } } },
  W3: { size: [1024, 1024], network: { inputs: ['x', 'y', 'r', 't'], time: { mode: 'linear' }, layers: { depth: 8, width: 32 }, activation: 'tanh', output: { channels: 3, activation: 'sigmoid' }, init: { normal: { std: 1 } } } },
  'W3-1080p': { size: [1920, 1080], network: { inputs: ['x', 'y', 'r', 't'], time: { mode: 'linear' }, layers: { depth: 8, width: 32 }, activation: 'tanh', output: { channels: 3, activation: 'sigmoid' }, init: { normal: { std: 1 } } } },
};

function load(name: string, size: [number, number], extra: Record<string, unknown> = {}): LoadedScene {
  const scene = validateSceneData({ name: name.toLowerCase(), output: { size, fps: 30, duration: 4, formats: ['mp4'], ...extra }, network: WORKLOADS[name].network, keyframes: [{ at: 0, seed: 1 }, { frame: 1, seed: 2 }] });
  return sceneFromFile(scene, 'bench', process.cwd(), scene.name!);
}

const fixed = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** Milliseconds per frame of the CPU kernel on this thread (the reference). */
function cpuOneThread(loaded: LoadedScene, frames: number): number {
  const renderer = new FrameRenderer(loaded.scene, loaded.library);
  renderer.renderFrame({ index: 0 });
  const started = performance.now();
  for (let i = 0; i < frames; i++) renderer.renderFrame({ index: i });
  return (performance.now() - started) / frames;
}

/** Milliseconds per frame of the CPU kernels on every core (the local backend's stream). */
async function cpuAllThreads(loaded: LoadedScene, frames: number): Promise<number> {
  const backend = createLocalBackend();
  try {
    for await (const _ of scheduleFrames(backend.frames, loaded, { range: { start: 0, end: 2 } })) void _;
    const started = performance.now();
    for await (const _ of scheduleFrames(backend.frames, loaded, { range: { start: 0, end: frames } })) void _;
    return (performance.now() - started) / frames;
  } finally {
    await backend.close();
  }
}

/** The GPU backend's pipelined stream: ms per frame, frames read back. */
async function gpuFrames(backend: GpuBackend, loaded: LoadedScene, frames: number): Promise<number> {
  for await (const _ of scheduleFrames(backend, loaded, { range: { start: 0, end: 4 } })) void _;
  const started = performance.now();
  for await (const _ of scheduleFrames(backend, loaded, { range: { start: 0, end: frames } })) void _;
  return (performance.now() - started) / frames;
}

/** The kernel alone: `frames` dispatches back to back with no copy back, ms per frame. */
async function gpuCompute(backend: GpuBackend, loaded: LoadedScene, frames: number): Promise<number> {
  const { device } = backend;
  const builder = new FrameBuilder(loaded.model, loaded.library);
  const frame = builder.frame(0);
  const shader = wgslComputeShader({ shape: frame.shape, features: frame.features, colourMode: frame.colour.mode, maxUniformBytes: device.limits.maxUniformBufferBindingSize });
  const module = device.createShaderModule({ code: shader.code });
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: shader.entryPoint } });
  // GPUBufferUsage's values, fixed by the WebGPU standard.
  const usage = { UNIFORM: 64, STORAGE: 128, COPY_DST: 8 };
  const frameData = writeFrameInputs(shader.frameLayout, frame);
  const weights = packGpuWeights(frame.shape, frame.weights);
  const frameBuffer = device.createBuffer({ size: frameData.byteLength, usage: usage.UNIFORM | usage.COPY_DST });
  const weightsUniform = shader.bindings.find((b) => b.holds === 'weights')!.kind === 'uniform';
  const weightsBuffer = device.createBuffer({ size: weights.byteLength, usage: (weightsUniform ? usage.UNIFORM : usage.STORAGE) | usage.COPY_DST });
  const pixels = device.createBuffer({ size: frame.width * frame.height * 4, usage: usage.STORAGE });
  device.queue.writeBuffer(frameBuffer, 0, frameData);
  device.queue.writeBuffer(weightsBuffer, 0, weights);
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: frameBuffer } },
      { binding: 1, resource: { buffer: weightsBuffer } },
      { binding: 3, resource: { buffer: pixels } },
    ],
  });
  const run = async (count: number): Promise<void> => {
    const encoder = device.createCommandEncoder();
    for (let i = 0; i < count; i++) {
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(Math.ceil(frame.width / WGSL_WORKGROUP[0]), Math.ceil(frame.height / WGSL_WORKGROUP[1]));
      pass.end();
    }
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await run(2);
  const started = performance.now();
  await run(frames);
  const ms = (performance.now() - started) / frames;
  for (const b of [frameBuffer, weightsBuffer, pixels]) b.destroy();
  return ms;
}

/**
 * The MP4 encoder alone on the render's frames (the first 30 of them, cycled,
 * rendered beforehand): the most frames per second a render to MP4 can reach.
 */
async function encoderCeiling(backend: GpuBackend, loaded: LoadedScene, path: string): Promise<string> {
  const total = loaded.model.timeline.frameCount;
  const distinct: Uint8Array[] = [];
  for await (const frame of scheduleFrames(backend, loaded, { range: { start: 0, end: Math.min(total, 30) } })) distinct.push(frame.slice());
  const { width, height } = loaded.model;
  const encoder = createEncoder('mp4', { width, height, fps: loaded.scene.output.fps, frameCount: total, path, options: encodeOptions(loaded.scene.output) });
  const started = performance.now();
  for (let i = 0; i < total; i++) await encoder.writeFrame(distinct[i % distinct.length]);
  await encoder.finish();
  encoder.commit();
  const seconds = (performance.now() - started) / 1000;
  const { preset, crf } = loaded.scene.output.mp4;
  return `MP4 encoder alone (x264 ${preset}, crf ${crf}) at ${width}x${height}: ${total} frames in ${seconds.toFixed(2)} s (${(total / seconds).toFixed(1)} fps): a render to MP4 cannot go faster`;
}

function torchFigures(names: string[], frames: number): string[] {
  const check = spawnSync('python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (check.status !== 0) return ['PyTorch: skipped (python3 cannot import torch)'];
  const script = join(dirname(fileURLToPath(import.meta.url)), 'gpu_torch.py');
  const run = spawnSync('python3', [script, names.join(','), String(frames)], { encoding: 'utf8' });
  if (run.status !== 0) return [`PyTorch: failed: ${run.stderr.trim().split('\n').pop()}`];
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { workload: string; device: string; msPerFrame: number })
    .map((r) => `${r.workload.padEnd(9)} PyTorch on ${r.device}: ${fixed(r.msPerFrame)} ms/frame`);
}

async function main(): Promise<void> {
  const names = (option('workloads') ?? 'W1,W3,W3-1080p').split(',');
  const frames = Number(option('frames') ?? 30);
  const forced = option('size')?.split('x').map(Number) as [number, number] | undefined;
  console.log(`cppn-motion GPU benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'} (${availableParallelism()} cores), node ${process.version}`);
  const backend = await createGpuBackend();
  console.log(`GPU: ${backend.adapter.name}${backend.adapter.software ? ' — a software adapter: these GPU figures are a CPU emulating a GPU' : ''}`);
  const bundled = !import.meta.url.endsWith('.ts');
  try {
    for (const name of names) {
      const size = forced ?? WORKLOADS[name].size;
      const loaded = load(name, size);
      const cpuFrames = Math.max(1, Math.min(5, Math.round(4e6 / (size[0] * size[1]))));
      const firstStarted = performance.now();
      await backend.picture(loaded, { index: 0 });
      const first = performance.now() - firstStarted;
      const compute = await gpuCompute(backend, loaded, frames);
      const stream = await gpuFrames(backend, loaded, frames);
      const one = cpuOneThread(loaded, cpuFrames);
      // The thread pool runs the TypeScript sources through tsx; a bundled copy (the device check) measures one thread only.
      const all = bundled ? undefined : await cpuAllThreads(loaded, cpuFrames * 2);
      console.log(
        `${name.padEnd(9)} ${size[0]}x${size[1]}: GPU compute ${fixed(compute)} ms/frame, GPU frames read back ${fixed(stream)} ms/frame, first picture ${fixed(first)} ms (compiling included); ` +
          `CPU one thread ${fixed(one)} ms/frame${all === undefined ? '' : `, CPU ${availableParallelism()} threads ${fixed(all)} ms/frame`}`,
      );
    }
    if (!flag('no-torch')) for (const line of torchFigures(names, Math.min(frames, 20))) console.log(line);

    // One render to MP4 on each backend, and where its time goes.
    const spec = /^(\d+)x(\d+)@(\d+)x([\d.]+)$/.exec(option('render') ?? '512x512@30x4');
    if (!spec) throw new Error('--render WxH@FPSxSECONDS, e.g. 1920x1080@60x10');
    const [width, height, fps, seconds] = spec.slice(1).map(Number);
    const video = load('W3', [width, height], { fps, duration: seconds });
    const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-gpu-bench-'));
    try {
      console.log(await encoderCeiling(backend, video, join(dir, 'encoder-alone.mp4')));
      const backends: Array<['gpu' | 'cpu', () => Promise<{ backend: import('../src/render/frame-backend.js').FrameBackend; close: () => Promise<void> }>]> = [
        ['gpu', async () => ({ backend: piecesHere(backend, codingCores()), close: async () => undefined })],
      ];
      if (!bundled && !flag('no-cpu-render')) backends.push(['cpu', async () => { const local = createLocalBackend(); return { backend: local, close: () => local.close() }; }]);
      for (const [kind, make] of backends) {
        const { backend: renderer, close } = await make();
        const waitBefore = backend.stats.waitMs;
        try {
          const result = await renderVideo(video, { backend: renderer, outStem: join(dir, kind), formats: ['mp4'] });
          const bytes = statSync(join(dir, `${kind}.mp4`)).size;
          const work = kind === 'gpu' ? `waiting for the GPU (compute and copy back) ${((backend.stats.waitMs - waitBefore) / 1000).toFixed(2)} s of the wall time` : `rendering ${(result.renderMs / 1000).toFixed(2)} s of thread time`;
          console.log(
            `render W3 ${width}x${height} ${fps} fps ${seconds} s (${result.frames} frames) to MP4 --backend ${kind}: ${(result.wallMs / 1000).toFixed(2)} s wall (${(result.frames / (result.wallMs / 1000)).toFixed(1)} fps); ` +
              `${work}; ${result.pieces} pieces, joined in ${(result.finishMs / 1000).toFixed(2)} s; ${(bytes / 1e6).toFixed(1)} MB`,
          );
        } finally {
          await close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await backend.close();
  }
}

await main();
