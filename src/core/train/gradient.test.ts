import { describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES, activation, type Activation, type ActivationName } from '../activations.js';
import type { NetworkShape } from '../network.js';
import { SeededRandom } from '../random.js';
import { GradientEvaluator, type TrainingSet } from './gradient.js';
import { TRAINABLE_ACTIVATIONS, untrainableReason } from './trainable.js';

function randomSet(inputs: number, channels: number, pixels: number, random: SeededRandom): TrainingSet {
  return {
    pixels,
    features: Float64Array.from({ length: inputs * pixels }, () => random.between(-1, 1)),
    targets: Float64Array.from({ length: channels * pixels }, () => random.uniform()),
  };
}

/** ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖) for each layer's weights and biases, in float64. */
function gradientErrors(hidden: Activation, output: Activation): Array<{ what: string; error: number; norm: number }> {
  const shape: NetworkShape = { inputCount: 3, hidden: [6, 5], outputCount: 3, activations: [hidden, hidden, output] };
  const evaluator = new GradientEvaluator(shape, shape.activations, 'float64', 16);
  const random = new SeededRandom(42);
  const params = Float64Array.from({ length: evaluator.layout.size }, () => 0.7 * random.normal());
  // 37 pixels: two full blocks of 16 and a partial one.
  const set = randomSet(3, 3, 37, random);
  const order = Uint32Array.from({ length: set.pixels }, (_, i) => (i * 11) % set.pixels);
  const analytic = new Float64Array(params.length);
  evaluator.evaluate(params, set, order, 0, set.pixels, analytic);
  const numeric = new Float64Array(params.length);
  for (let i = 0; i < params.length; i++) {
    const h = 1e-6 * Math.max(1, Math.abs(params[i]));
    const keep = params[i];
    params[i] = keep + h;
    const up = evaluator.evaluate(params, set, order, 0, set.pixels);
    params[i] = keep - h;
    const down = evaluator.evaluate(params, set, order, 0, set.pixels);
    params[i] = keep;
    numeric[i] = (up - down) / (2 * h);
  }
  const norm = (a: Float64Array, from: number, to: number): number => Math.hypot(...a.subarray(from, to));
  const difference = analytic.map((v, i) => v - numeric[i]);
  return evaluator.layout.layers.flatMap((slot, l) =>
    (
      [
        ['weights', slot.weight, slot.bias],
        ['biases', slot.bias, slot.bias + slot.outputs],
      ] as const
    ).map(([what, from, to]) => {
      const size = Math.max(norm(analytic, from, to), norm(numeric, from, to));
      return { what: `layer ${l + 1} ${what}`, error: norm(difference, from, to) / size, norm: size };
    }),
  );
}

describe('the backward pass agrees with finite differences', () => {
  const cases: Array<[string, Activation]> = [
    ...TRAINABLE_ACTIVATIONS.map((name): [string, Activation] => [name, activation(name)]),
    ['cos with frequency 3', activation('cos', { frequency: 3 })],
    ['leaky-relu with slope 0.2', activation('leaky-relu', { slope: 0.2 })],
    ['logistic with the cos squash', activation('logistic', { squash: 'cos', frequency: 2, r: 3.2 })],
  ];
  it.each(cases)('%s in the hidden layers and at the output', (_label, a) => {
    for (const output of [activation('sigmoid'), a]) {
      for (const { what, error, norm } of gradientErrors(a, output)) {
        expect(norm, `${what}: the gradient vanished, so the check would prove nothing`).toBeGreaterThan(1e-6);
        expect(error, what).toBeLessThan(1e-3);
      }
    }
  });
});

describe('activations that gradient descent cannot use', () => {
  it('every activation in the catalogue has a derivative, so none is refused', () => {
    expect(TRAINABLE_ACTIVATIONS).toEqual(ACTIVATION_NAMES);
  });

  it('an activation without a derivative is refused with the layer, the reason and the alternatives', () => {
    const fake = { ...activation('tanh'), name: 'step' as ActivationName };
    const reason = untrainableReason([activation('tanh'), fake], (i) => `hidden layer ${i + 1}`);
    expect(reason).toMatch(/^hidden layer 2 uses step, which cannot be trained by gradient descent \(it has no derivative\); use any of sigmoid, tanh,/);
    expect(untrainableReason([activation('tanh'), activation('sigmoid')], String)).toBeUndefined();
  });
});

describe('the float32 backends agree with the float64 reference', () => {
  it.each(['wasm-simd', 'js'] as const)('%s: 8 tanh layers of 32, 1000 pixels (not a whole number of blocks)', (backend) => {
    const shape: NetworkShape = { inputCount: 3, hidden: Array<number>(8).fill(32), outputCount: 3, activations: [...Array<Activation>(8).fill(activation('tanh')), activation('sigmoid')] };
    const random = new SeededRandom(7);
    const reference = new GradientEvaluator(shape, shape.activations, 'float64');
    const fast = new GradientEvaluator(shape, shape.activations, 'float32', 256, backend);
    expect(fast.backend).toBe(backend);
    const params = Float64Array.from({ length: reference.layout.size }, () => 0.3 * random.normal());
    const set = randomSet(3, 3, 1000, random);
    const order = Uint32Array.from({ length: set.pixels }, (_, i) => (i * 7) % set.pixels);
    const want = new Float64Array(params.length);
    const got = new Float32Array(params.length);
    const wantError = reference.evaluate(params, set, order, 0, set.pixels, want);
    const gotError = fast.evaluate(Float32Array.from(params), { pixels: set.pixels, features: Float32Array.from(set.features), targets: Float32Array.from(set.targets) }, order, 0, set.pixels, got);
    expect(Math.abs(gotError - wantError) / wantError).toBeLessThan(1e-5);
    const difference = Math.hypot(...want.map((v, i) => v - got[i]));
    expect(difference / Math.hypot(...want)).toBeLessThan(1e-4);
  });
});
