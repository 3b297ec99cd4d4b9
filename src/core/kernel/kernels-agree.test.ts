import { describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES, activation, type Activation } from '../activations.js';
import { randomWeights } from '../init.js';
import type { NetworkShape } from '../network.js';
import { SeededRandom } from '../random.js';
import { createJsKernel } from './js-kernel.js';
import type { ForwardKernel } from './kernel.js';
import { createWasmKernel, wasmSimdSupported } from './wasm-kernel.js';

function evaluate(kernel: ForwardKernel, inputsSeed: number, pixels: number, spread: number): Float32Array {
  const random = new SeededRandom(inputsSeed);
  for (let i = 0; i < kernel.inputs.length; i++) kernel.inputs[i] = random.between(-spread, spread);
  kernel.run(pixels);
  return kernel.outputs.slice();
}

/** Runs both kernels on the same weights and inputs; returns the first `pixels` of every channel. */
function bothKernels(shape: NetworkShape, seed: number, pixels: number, spread = 1): [Float32Array, Float32Array] {
  const weights = randomWeights(shape, { init: { kind: 'normal', mean: 0, std: 1 }, bias: true }, seed);
  const [simd, js] = [createWasmKernel(shape), createJsKernel(shape)].map((kernel) => {
    kernel.setWeights(weights);
    kernel.setActivationParams(shape.activations);
    const out = evaluate(kernel, seed + 1, pixels, spread);
    const kept = new Float32Array(shape.outputCount * pixels);
    for (let c = 0; c < shape.outputCount; c++) kept.set(out.subarray(c * kernel.blockSize, c * kernel.blockSize + pixels), c * pixels);
    return kept;
  });
  return [simd, js];
}

const variants: Activation[] = [
  ...ACTIVATION_NAMES.map((name) => activation(name)),
  activation('cos', { frequency: 7.9 }),
  activation('sin', { frequency: 3 }),
  activation('leaky-relu', { slope: 0.2 }),
  activation('elu', { alpha: 0.5 }),
  activation('celu', { alpha: 2 }),
  activation('swish', { alpha: 1.5 }),
  activation('logistic', { squash: 'clamp', r: 3.9, iterations: 3 }),
  activation('logistic', { squash: 'cos', frequency: 2, r: 3.5, iterations: 1 }),
];

describe('the WebAssembly SIMD kernel and the JavaScript kernel', () => {
  it('WebAssembly SIMD is available here', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  for (const a of variants) {
    it(`give identical bits for ${a.name} ${a.name === 'logistic' ? a.squash : ''} (f=${a.frequency}, slope=${a.slope}, alpha=${a.alpha})`, () => {
      const shape: NetworkShape = { inputCount: 3, hidden: [16, 7, 5], outputCount: 3, activations: [a, a, a, activation('sigmoid')] };
      const [simd, js] = bothKernels(shape, 11, 117, 3);
      expect(simd.some((v) => v !== simd[0])).toBe(true);
      expect(Buffer.from(simd.buffer).equals(Buffer.from(js.buffer))).toBe(true);
    });
  }

  it('handle odd widths, a single output, and a partly filled block', () => {
    const tanh = activation('tanh');
    const shape: NetworkShape = { inputCount: 1, hidden: [1, 3, 33], outputCount: 1, activations: [tanh, tanh, tanh, activation('identity')] };
    const [simd, js] = bothKernels(shape, 5, 17);
    expect(Array.from(simd)).toEqual(Array.from(js));
  });

  it('read new weights and parameters on every run without recompiling', () => {
    const shape: NetworkShape = { inputCount: 2, hidden: [8], outputCount: 1, activations: [activation('cos', { frequency: 1 }), activation('identity')] };
    const kernel = createWasmKernel(shape);
    const weights = randomWeights(shape, { init: { kind: 'normal', mean: 0, std: 1 }, bias: true }, 3);
    kernel.setWeights(weights);
    kernel.setActivationParams(shape.activations);
    const first = evaluate(kernel, 1, 16, 1);
    kernel.setActivationParams([activation('cos', { frequency: 5 }), activation('identity')]);
    const second = evaluate(kernel, 1, 16, 1);
    expect(first[0]).not.toEqual(second[0]);
  });
});
