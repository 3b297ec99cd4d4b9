/**
 * Fitting benchmark: 60 s of training a network of 8 tanh layers of 32
 * (x, y, r inputs, RGB sigmoid output) on the 128×128 logo, mini-batches of
 * 4,096 pixels, Adam at 0.01, on 2 worker threads. Prints steps per second
 * and the whole picture's PSNR at the end, then (when python3 has torch) runs
 * the same training in PyTorch on the CPU from the same starting weights and
 * target (bench/fit_torch.py) for comparison.
 *
 *   npm run bench:fit                 # 60 s each
 *   npm run bench:fit -- 20 4         # 20 s each, 4 workers (and 4 PyTorch threads)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { flattenWeights, GradientEvaluator, imageTrainingSet, parameterLayout } from '../src/core/index.js';
import { encodePng } from '../src/encode/png.js';
import { fitNetwork, loadTargetImage } from '../src/fit/index.js';
import { FrameBuilder, sceneFromFile, validateSceneData, weightsToJson } from '../src/scene/index.js';

const seconds = Number(process.argv[2] ?? 60);
const workers = Number(process.argv[3] ?? 2);
const SIZE = 128;
const BATCH = 4096;
const LR = 0.01;

const scene = validateSceneData({
  name: 'fit-bench',
  seed: 3,
  output: { size: [SIZE, SIZE] },
  network: { inputs: ['x', 'y', 'r'], layers: { depth: 8, width: 32 }, activation: 'tanh', output: { channels: 3, activation: 'sigmoid' }, init: { normal: { std: 1 } } },
});
const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-fit-bench-'));
try {
  const loaded = sceneFromFile(scene, 'bench', dir, 'fit-bench');
  const target = await loadTargetImage(resolve(import.meta.dirname, '../scenes/targets/logo.png'), SIZE, SIZE);
  // What PyTorch starts from and learns: the same weights and the same pixels.
  writeFileSync(join(dir, 'init.json'), JSON.stringify(weightsToJson(new FrameBuilder(loaded.model).network(loaded.model.baseNetwork))));
  writeFileSync(join(dir, 'target.png'), encodePng(Uint8Array.from(target.data), SIZE, SIZE));

  // One gradient step (forward and backward over one mini-batch) on this thread, 50 times.
  const frame = new FrameBuilder(loaded.model).atTime(0);
  const set = imageTrainingSet(loaded.model.features, frame, loaded.model.shape.inputCount, 3, target.data);
  const evaluator = new GradientEvaluator(loaded.model.shape, frame.activations);
  const params = flattenWeights(parameterLayout(loaded.model.shape), frame.weights);
  const gradient = new Float32Array(params.length);
  const order = Uint32Array.from({ length: set.pixels }, (_, i) => (i * 7919) % set.pixels);
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const started = performance.now();
    evaluator.evaluate(params, set, order, 0, BATCH, gradient);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`one gradient step of ${BATCH} pixels on one thread (${evaluator.backend}): best ${times[0].toFixed(1)} ms, median ${times[25].toFixed(1)} ms`);

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), seconds * 1000);
  const result = await fitNetwork(loaded, target, { steps: 10_000_000, batchSize: BATCH, learningRate: LR, workers, evaluateEvery: 200, signal: controller.signal });
  clearTimeout(timer);
  console.log(`cppn-motion: ${result.steps} steps in ${(result.elapsedMs / 1000).toFixed(1)} s = ${result.stepsPerSecond.toFixed(1)} steps/s on ${workers} workers; PSNR ${result.psnr.toFixed(2)} dB (best, whole picture)`);

  const python = spawnSync('python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (python.status !== 0) {
    console.log('PyTorch: skipped (python3 cannot import torch; install it with `sudo apt-get install -y python3-torch`)');
  } else {
    const torch = spawnSync('python3', [resolve(import.meta.dirname, 'fit_torch.py'), join(dir, 'target.png'), join(dir, 'init.json'), String(seconds), String(workers), String(BATCH), String(LR)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.stdout.write(torch.stdout);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
