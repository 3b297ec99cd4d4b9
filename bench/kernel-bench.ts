/**
 * Frame-rendering benchmark: milliseconds per frame and megapixels per second
 * for three workloads, on one thread and on all cores, plus W1's accuracy
 * against a float64 evaluation. Run with `npm run bench`.
 *
 * W1: 512×512, x, y → 8 tanh layers of 16 → 3 sigmoid, normal(0, 1) weights.
 * W2: 512×512, x, y → 64, 64, 64 with cos(7.9x) → 1 output.
 * W3: 1024×1024, x, y, r, t → 8 tanh layers of 32 → 3 sigmoid.
 */
import { availableParallelism, cpus } from 'node:os';
import { renderReference, rgbaDifference, type RgbaDifference } from '../src/core/index.js';
import { FrameRenderer } from '../src/render/frame-renderer.js';
import { createRenderPool } from '../src/render/pool.js';
import { renderStill } from '../src/render/still.js';
import { sceneFromFile, validateSceneData, type LoadedScene } from '../src/scene/index.js';

const workloads: Record<string, unknown> = {
  W1: {
    name: 'w1',
    output: { size: [512, 512] },
    network: { inputs: ['x', 'y'], layers: { depth: 8, width: 16 }, activation: 'tanh', output: { channels: 3, activation: 'sigmoid' }, init: { normal: { std: 1 } } },
  },
  W2: {
    name: 'w2',
    output: { size: [512, 512] },
    network: { inputs: ['x', 'y'], layers: [64, 64, 64], activation: { name: 'cos', frequency: 7.9 }, output: { channels: 1, activation: 'sigmoid' }, init: 'pytorch-default' },
  },
  W3: {
    name: 'w3',
    output: { size: [1024, 1024] },
    network: { inputs: ['x', 'y', 'r', 't'], time: { mode: 'linear' }, layers: { depth: 8, width: 32 }, activation: 'tanh', output: { channels: 3, activation: 'sigmoid' }, init: { normal: { std: 1 } } },
  },
};

function load(data: unknown): LoadedScene {
  const scene = validateSceneData(data);
  return sceneFromFile(scene, 'bench', process.cwd(), scene.name!);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(run: () => unknown, warmup: number, repeats: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

function accuracy(loaded: LoadedScene): RgbaDifference {
  const renderer = new FrameRenderer(loaded.scene, loaded.library);
  return rgbaDifference(renderer.renderFrame({ time: 0 }), renderReference(renderer.builder.atTime(0)).rgba);
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  console.log(`cppn-motion frame benchmark — ${cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores, Node ${process.version}`);
  console.log('medians; "all cores" = one frame split into row bands over a warm worker pool\n');
  const pool = createRenderPool(cores);
  try {
    // The pool's threads start (load modules, compile) in the background: let
    // them finish before timing, or the first single-thread figures share the
    // cores with them.
    await renderStill(load(workloads.W1), { pool });
    console.log('workload   size        1 thread              all cores');
    for (const [label, data] of Object.entries(workloads)) {
      const loaded = load(data);
      const { width, height } = loaded.model;
      const megapixels = (width * height) / 1e6;
      const renderer = new FrameRenderer(loaded.scene, loaded.library);
      const repeats = width > 512 ? 5 : 15;
      const single = await time(() => renderer.renderFrame({ time: 0 }), 3, repeats);
      const parallel = await time(() => renderStill(loaded, { pool }), 3, repeats);
      const cell = (ms: number): string => `${ms.toFixed(1).padStart(7)} ms  ${(megapixels / (ms / 1000)).toFixed(1).padStart(5)} MP/s`;
      console.log(`${label.padEnd(10)} ${`${width}x${height}`.padEnd(11)} ${cell(single)}   ${cell(parallel)}`);
    }
    const w1 = accuracy(load(workloads.W1));
    console.log(`\nW1 accuracy vs float64: ${(w1.within1 * 100).toFixed(4)} % of 8-bit values within ±1, ${(w1.equal * 100).toFixed(2)} % equal (worst difference ${w1.worst})`);
  } finally {
    await pool.destroy();
  }
}

await main();
