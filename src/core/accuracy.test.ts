import { describe, expect, it } from 'vitest';
import { activation } from './activations.js';
import { DEFAULT_COLOUR } from './colour.js';
import type { FeatureSpec } from './features.js';
import { renderRows, type FrameDescription } from './frame.js';
import { randomWeights } from './init.js';
import { createWasmKernel } from './kernel/wasm-kernel.js';
import { renderReference, rgbaDifference, type RgbaDifference } from './reference.js';

function compare(frame: FrameDescription): RgbaDifference {
  const fast = new Uint8Array(frame.width * frame.height * 4);
  renderRows(frame, createWasmKernel(frame.shape), fast);
  return rgbaDifference(fast, renderReference(frame).rgba);
}

const xy: FeatureSpec = { inputs: ['x', 'y'], timeMode: 'circle', timeScale: 1, latentSize: 0 };

describe('accuracy of the SIMD kernel against a float64 evaluation', () => {
  it('W1 (512×512, 8 tanh layers of 16, normal(0, 1)): at least 99.9 % of 8-bit values within ±1', () => {
    const shape = { inputCount: 2, hidden: Array<number>(8).fill(16), outputCount: 3, activations: [...Array(8).fill(activation('tanh')), activation('sigmoid')] };
    for (const seed of [1]) {
      const result = compare({
        width: 512,
        height: 512,
        shape,
        features: xy,
        view: { zoom: 2, center: [0, 0], rotation: 0 },
        t: 0,
        latent: [],
        weights: randomWeights(shape, { init: { kind: 'normal', mean: 0, std: 1 }, bias: true }, seed),
        activations: shape.activations,
        colour: DEFAULT_COLOUR,
      });
      expect(result.within1).toBeGreaterThanOrEqual(0.999);
    }
  });

  it('cos(7.9x) layers stay within ±1 as well', () => {
    const cos = activation('cos', { frequency: 7.9 });
    const shape = { inputCount: 2, hidden: [64, 64, 64], outputCount: 1, activations: [cos, cos, cos, activation('sigmoid')] };
    const result = compare({
      width: 256,
      height: 256,
      shape,
      features: xy,
      view: { zoom: 2, center: [0, 0], rotation: 0 },
      t: 0,
      latent: [],
      weights: randomWeights(shape, { init: { kind: 'pytorch-default' }, bias: true }, 5),
      activations: shape.activations,
      colour: { ...DEFAULT_COLOUR, mode: 'grey' },
    });
    expect(result.within1).toBeGreaterThanOrEqual(0.999);
  });
});
