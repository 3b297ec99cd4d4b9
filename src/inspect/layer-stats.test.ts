import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activation, DEFAULT_COLOUR, type Activation, type FrameDescription } from '../core/index.js';
import { loadScene } from '../scene/index.js';
import { activationFamily } from './families.js';
import { networkStats } from './layer-stats.js';
import { sampleFrame, sampleSize, INSPECT_LIMITS } from './sample-frame.js';

const scene = (name: string) => loadScene(resolve(import.meta.dirname, '../../scenes', `${name}.yaml`));

/**
 * A 4×1 image of x alone (x = −1.5, −0.5, 0.5, 1.5 at the pixel centres),
 * one hidden layer with the given units, and a constant output.
 */
function tinyFrame(hidden: Activation, weights: number[], biases: number[]): FrameDescription {
  const units = weights.length;
  return {
    width: 4,
    height: 1,
    shape: { inputCount: 1, hidden: [units], outputCount: 1, activations: [hidden, activation('sigmoid')] },
    features: { inputs: ['x'], timeMode: 'circle', timeScale: 1, latentSize: 0 },
    view: { zoom: 1, center: [0, 0], rotation: 0 },
    t: 0,
    latent: [],
    weights: {
      layers: [
        { inputs: 1, outputs: units, weight: Float32Array.from(weights), bias: Float32Array.from(biases) },
        { inputs: units, outputs: 1, weight: new Float32Array(units), bias: new Float32Array(1) },
      ],
    },
    activations: [hidden, activation('sigmoid')],
    colour: DEFAULT_COLOUR,
  };
}

describe('layer statistics', () => {
  it('measure mean, std and the variation across the image exactly on a hand-made network', () => {
    const stats = networkStats(tinyFrame(activation('identity'), [1, 2], [0, 3]));
    const [layer, output] = stats.layers;
    // Unit 1 is x, unit 2 is 2x + 3: values −1.5 −0.5 0.5 1.5 and 0 2 4 6.
    expect(layer.mean).toBeCloseTo(1.5, 12);
    const all = [-1.5, -0.5, 0.5, 1.5, 0, 2, 4, 6];
    expect(layer.std).toBeCloseTo(Math.sqrt(all.reduce((s, v) => s + (v - 1.5) ** 2, 0) / 8), 12);
    // Across the image: std 1.118 for x, 2.236 for 2x + 3; root-mean-square of the two.
    expect(layer.pixelStd).toBeCloseTo(Math.sqrt((1.25 + 5) / 2), 12);
    expect(layer.saturated).toBeUndefined();
    expect(layer.dead).toBeUndefined();
    // All-zero output weights: sigmoid(0) = 0.5 at every pixel.
    expect(output.mean).toBe(0.5);
    expect(stats.outputStd).toEqual([0]);
  });

  it('count saturated values for tanh-like layers', () => {
    // tanh(100x) is ±1 at every pixel; tanh(0.1x) never saturates.
    const stats = networkStats(tinyFrame(activation('tanh'), [100, 0.1], [0, 0]));
    expect(stats.layers[0].saturated).toBe(0.5);
    const sigmoid = networkStats(tinyFrame(activation('sigmoid'), [100, 100], [0, 1000]));
    // sigmoid(100x) is 0 or 1 everywhere; sigmoid(100x + 1000) is 1 everywhere.
    expect(sigmoid.layers[0].saturated).toBe(1);
  });

  it('count relu-like units that are flat over the whole image as dead', () => {
    const stats = networkStats(tinyFrame(activation('relu'), [1, 1, 1], [0, -10, 5]));
    // x → alive; x − 10 → zero everywhere, dead; x + 5 → positive everywhere, alive.
    expect(stats.layers[0].dead).toBeCloseTo(1 / 3, 12);
    expect(stats.layers[0].saturated).toBeUndefined();
    const elu = networkStats(tinyFrame(activation('elu'), [1, 1], [-200, 0]));
    expect(elu.layers[0].dead).toBe(0.5);
  });

  it('show ±100 weights saturating every tanh layer, and normal(0, 1) weights keeping the signal alive', () => {
    const blobs = scene('uniform-100');
    const saturated = networkStats(sampleFrame(blobs, 0, [48, 48]));
    for (const layer of saturated.layers.slice(0, -1)) expect(layer.saturated).toBeGreaterThan(0.9);
    const alive = networkStats(sampleFrame(scene('normal-1'), 0, [48, 48]));
    for (const layer of alive.layers.slice(0, -1)) expect(layer.pixelStd).toBeGreaterThan(0.3);
    expect(alive.outputStd[0]).toBeGreaterThan(0.2);
  });

  it('estimate the full-size frame from a smaller one (the picture does not depend on the pixel count)', () => {
    const artsy = scene('artsy');
    const small = networkStats(sampleFrame(artsy, 1, [48, 48]));
    const large = networkStats(sampleFrame(artsy, 1, [160, 160]));
    small.outputStd.forEach((s, c) => expect(s).toBeCloseTo(large.outputStd[c], 2));
  });
});

describe('sample sizes', () => {
  it('cap the longer side at 256 px, keep the aspect ratio, and give wide networks fewer pixels', () => {
    expect(sampleSize(scene('artsy').model, INSPECT_LIMITS)).toEqual([256, 256]);
    const wide = sampleSize(scene('wide-128').model, INSPECT_LIMITS);
    expect(wide[0]).toBeLessThan(100);
    expect(wide[0]).toBeGreaterThanOrEqual(INSPECT_LIMITS.minSide);
    const model = { ...scene('artsy').model, width: 640, height: 360 };
    expect(sampleSize(model, INSPECT_LIMITS)).toEqual([256, 144]);
    expect(sampleSize({ ...model, width: 40, height: 30 }, INSPECT_LIMITS)).toEqual([40, 30]);
  });
});

describe('activation families', () => {
  it('sort the catalogue as saturation and dead-unit statistics need', () => {
    expect(['tanh', 'hardtanh', 'sin', 'cos'].map((n) => activationFamily(n as never))).toEqual(Array(4).fill('tanh-like'));
    expect(['sigmoid', 'logistic', 'gaussian'].map((n) => activationFamily(n as never))).toEqual(Array(3).fill('sigmoid-like'));
    expect(['relu', 'leaky-relu', 'elu', 'selu', 'celu', 'softplus', 'swish', 'mish'].map((n) => activationFamily(n as never))).toEqual(Array(8).fill('relu-like'));
    expect(activationFamily('identity')).toBe('linear');
  });
});
