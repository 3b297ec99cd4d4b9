import { describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES, ACTIVATIONS, activation, type Activation, type ActivationName } from './activations.js';

const f = (name: ActivationName, x: number, options: Partial<Activation> = {}): number => ACTIVATIONS[name].reference(x, activation(name, options));
const df = (name: ActivationName, x: number, options: Partial<Activation> = {}): number => ACTIVATIONS[name].derivative(x, activation(name, options));

describe('activation values', () => {
  // Values worked out by hand or with Python's math module.
  const known: Array<[ActivationName, number, number, Partial<Activation>?]> = [
    ['sigmoid', 0, 0.5],
    ['sigmoid', 2, 0.8807970779778823],
    ['tanh', 0.5, 0.46211715726000974],
    ['tanh', -0.5, -0.46211715726000974],
    ['hardtanh', 2, 1],
    ['hardtanh', -0.3, -0.3],
    ['relu', -1, 0],
    ['relu', 2, 2],
    ['leaky-relu', -2, -0.02],
    ['leaky-relu', -2, -0.4, { slope: 0.2 }],
    ['elu', -1, Math.exp(-1) - 1],
    ['elu', 1.5, 1.5],
    ['selu', 1, 1.0507009873554805],
    ['selu', -1, -1.1113307378125625],
    ['celu', -1, Math.exp(-1) - 1],
    ['celu', -1, 2 * (Math.exp(-0.5) - 1), { alpha: 2 }],
    ['softplus', 0, Math.LN2],
    ['softplus', 50, 50],
    ['swish', 1, 0.7310585786300049],
    ['mish', 1, 0.8650983882673103],
    ['sin', Math.PI / 2, 1],
    ['cos', 0, 1],
    ['cos', 1, Math.cos(7.9), { frequency: 7.9 }],
    ['gaussian', 1, Math.exp(-1)],
    ['identity', 3, 3],
    // sigmoid(0) = 0.5, then x ← 3.75843·x·(1 − x) twice.
    ['logistic', 0, 0.2132730347123682],
    ['logistic', 1, 0.7250081065946025],
  ];
  it.each(known)('%s(%d) = %d', (name, x, expected, options) => {
    expect(f(name, x, options)).toBeCloseTo(expected, 12);
  });

  it('derivatives at known points', () => {
    expect(df('tanh', 0)).toBe(1);
    expect(df('sigmoid', 0)).toBe(0.25);
    expect(df('softplus', 0)).toBe(0.5);
    expect(df('relu', -1)).toBe(0);
    expect(df('relu', 1)).toBe(1);
    expect(df('gaussian', 1)).toBeCloseTo(-2 / Math.E, 14);
    expect(df('cos', 0.1, { frequency: 7.9 })).toBeCloseTo(-7.9 * Math.sin(0.79), 14);
    expect(df('identity', 42)).toBe(1);
  });
});

describe('activation derivatives agree with a numerical derivative', () => {
  // Points where a derivative jumps (relu at 0, hardtanh at ±1) are left out:
  // a central difference across a kink is not a derivative.
  const kinks: Partial<Record<ActivationName, number[]>> = {
    hardtanh: [-1, 1],
    relu: [0],
    'leaky-relu': [0],
    elu: [0],
    selu: [0],
    celu: [0],
  };
  const variants: Array<[ActivationName, Partial<Activation>]> = [
    ...ACTIVATION_NAMES.map((name): [ActivationName, Partial<Activation>] => [name, {}]),
    ['cos', { frequency: 7.9 }],
    ['sin', { frequency: 3 }],
    ['swish', { alpha: 2 }],
    ['celu', { alpha: 0.5 }],
    ['logistic', { squash: 'cos', frequency: 2 }],
    ['logistic', { r: 3.2, iterations: 5 }],
  ];
  it.each(variants)('%s %o', (name, options) => {
    const h = 1e-6;
    for (let x = -5; x <= 5; x += 0.0625) {
      if (kinks[name]?.some((k) => Math.abs(x - k) < 1e-3)) continue;
      const numerical = (f(name, x + h, options) - f(name, x - h, options)) / (2 * h);
      const analytic = df(name, x, options);
      expect(Math.abs(analytic - numerical), `${name}'(${x}): ${analytic} vs ${numerical}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(numerical)));
    }
  });
});
