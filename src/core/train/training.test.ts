import { describe, expect, it } from 'vitest';
import { activation, type ActivationName } from '../activations.js';
import { randomWeights } from '../init.js';
import type { NetworkShape } from '../network.js';
import { GradientEvaluator } from './gradient.js';
import { flattenWeights, parameterLayout } from './parameters.js';
import { meanSquaredError, trainLocally } from './training.js';

/** The tutorial's task: learn 2·sin(x) + 5 on [−3, 3] from random mini-batches of points. */
function fitSine(hidden: ActivationName): number {
  const shape: NetworkShape = { inputCount: 1, hidden: [100], outputCount: 1, activations: [activation(hidden), activation('identity')] };
  const points = 1000;
  const xs = Float32Array.from({ length: points }, (_, i) => -3 + (6 * i) / (points - 1));
  const set = { pixels: points, features: xs, targets: xs.map((x) => 2 * Math.sin(x) + 5) };
  const initial = flattenWeights(parameterLayout(shape), randomWeights(shape, { init: { kind: 'pytorch-default' }, bias: true }, 1));
  const { params } = trainLocally(shape, shape.activations, set, initial, {
    steps: 2000,
    batchSize: 64,
    optimiser: { name: 'adam', learningRate: 0.01, momentum: 0, weightDecay: 0 },
  });
  return meanSquaredError(new GradientEvaluator(shape, shape.activations), params, set);
}

/** The least squares line through the same points: the best any network without a nonlinearity can do. */
function bestLineError(): number {
  const n = 1000;
  const xs = Array.from({ length: n }, (_, i) => -3 + (6 * i) / (n - 1));
  const ys = xs.map((x) => 2 * Math.sin(x) + 5);
  const mx = xs.reduce((a, b) => a + b) / n;
  const my = ys.reduce((a, b) => a + b) / n;
  const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  return ys.reduce((s, y, i) => s + (y - (my + slope * (xs[i] - mx))) ** 2, 0) / n;
}

describe('a 1-100-1 network learns 2·sin(x) + 5 on [−3, 3]', () => {
  it('with ReLU it fits the curve (mean squared error below 0.01)', () => {
    expect(fitSine('relu')).toBeLessThan(0.01);
  });

  it('without a nonlinearity it can only draw a line: the error stays at the best line’s (≈ 0.67)', () => {
    const floor = bestLineError();
    expect(floor).toBeGreaterThan(0.6);
    // A stack of linear layers is one linear map: it cannot beat the least squares line.
    const error = fitSine('identity');
    expect(error).toBeGreaterThan(floor * 0.999);
    // …and it does find (nearly) that line.
    expect(error).toBeLessThan(floor * 1.25);
  });
});
