import { describe, expect, it } from 'vitest';
import { sceneFromFile, validateSceneData, type LoadedScene } from '../scene/index.js';
import { fitNetwork, type FitImage } from './fit-network.js';

function scene(network: Record<string, unknown>, size = 32): LoadedScene {
  const file = validateSceneData({ name: 'disc', seed: 3, output: { size: [size, size] }, network });
  return sceneFromFile(file, 'disc.yaml', '/', 'disc');
}

/** A white disc of radius 0.3 (in scene units: the shorter side spans 1) on black, with antialiased edges. */
function disc(size: number): FitImage {
  const data = new Uint8ClampedArray(size * size * 4);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const x = (column + 0.5 - size / 2) / size;
      const y = (row + 0.5 - size / 2) / size;
      const cover = Math.min(1, Math.max(0, (0.3 - Math.hypot(x, y)) * size + 0.5));
      data.fill(Math.round(cover * 255), (row * size + column) * 4, (row * size + column) * 4 + 3);
      data[(row * size + column) * 4 + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}

const greyNetwork = { inputs: ['x', 'y', 'r'], layers: { depth: 4, width: 16 }, activation: 'tanh', output: { channels: 1, activation: 'sigmoid' } };

describe('fitNetwork', () => {
  it('teaches a network a 32×32 disc: PSNR above 25 dB within 300 steps', async () => {
    const result = await fitNetwork(scene(greyNetwork), disc(32), { steps: 300, batchSize: 256, workers: 1 });
    expect(result.psnr).toBeGreaterThan(25);
    expect(result.steps).toBe(300);
    expect(result.stopped).toBe('steps');
    // The starting network is a random pattern, far from a disc.
    expect(result.history[0].loss).toBeGreaterThan(0.02);
  });

  it('SGD with momentum learns too, and weight decay keeps the weights smaller', async () => {
    const sgd = await fitNetwork(scene(greyNetwork), disc(32), { steps: 300, batchSize: 256, workers: 1, optimiser: 'sgd', learningRate: 0.5 });
    expect(sgd.psnr).toBeGreaterThan(20);
    const size = (weights: typeof sgd.weights): number => Math.hypot(...weights.layers.flatMap((l) => [...l.weight, ...l.bias]));
    const plain = await fitNetwork(scene(greyNetwork), disc(32), { steps: 100, batchSize: 256, workers: 1 });
    const decayed = await fitNetwork(scene(greyNetwork), disc(32), { steps: 100, batchSize: 256, workers: 1, weightDecay: 1 });
    expect(size(decayed.weights)).toBeLessThan(0.97 * size(plain.weights));
  });

  it('stops as soon as the PSNR asked for is reached, keeping the best weights', async () => {
    const result = await fitNetwork(scene(greyNetwork), disc(32), { steps: 2000, targetPsnr: 20, batchSize: 256, workers: 1, evaluateEvery: 5 });
    expect(result.stopped).toBe('psnr');
    expect(result.psnr).toBeGreaterThanOrEqual(20);
    expect(result.steps).toBeLessThan(2000);
    expect(result.bestStep).toBe(result.steps);
  });

  it('gives the same weights for the same seed and worker count, on worker threads', async () => {
    const options = { steps: 20, batchSize: 300, workers: 2 };
    const [a, b] = [await fitNetwork(scene(greyNetwork), disc(32), options), await fitNetwork(scene(greyNetwork), disc(32), options)];
    expect(a.workers).toBe(2);
    expect(a.weights.layers.map((l) => Array.from(l.weight))).toEqual(b.weights.layers.map((l) => Array.from(l.weight)));
    expect(a.mse).toBe(b.mse);
    // Two shards compute the same gradient as one, up to float32 rounding.
    const single = await fitNetwork(scene(greyNetwork), disc(32), { ...options, workers: 1 });
    expect(Math.abs(single.psnr - a.psnr)).toBeLessThan(0.1);
  });

  it('stops when its signal aborts and still returns the best weights so far', async () => {
    const controller = new AbortController();
    const result = await fitNetwork(scene(greyNetwork), disc(32), {
      steps: 100_000,
      batchSize: 256,
      workers: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.step === 30) controller.abort();
      },
    });
    expect(result.stopped).toBe('interrupted');
    expect(result.steps).toBe(30);
    expect(result.psnr).toBeGreaterThan(10);
  });

  it('refuses a target of another size and bad options with clear messages', async () => {
    await expect(fitNetwork(scene(greyNetwork), disc(16))).rejects.toThrow('the target is 16x16 but the scene renders 32x32');
    await expect(fitNetwork(scene(greyNetwork), disc(32), { learningRate: -1 })).rejects.toThrow('learning rate must be a number above 0, got -1');
    await expect(fitNetwork(scene({ ...greyNetwork, scale: 0 }), disc(32))).rejects.toThrow(/weight scale is 0/);
  });
});
