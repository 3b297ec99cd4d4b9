/**
 * Optimisers that move a flat parameter vector along its gradient: Adam (the
 * default: its per-parameter step sizes suit networks whose layers have very
 * different gradient scales) and plain SGD with momentum. Weight decay is
 * decoupled from the gradient (as in AdamW), so it shrinks every weight by
 * the same share per step whichever optimiser runs.
 */
import type { FloatArray } from './parameters.js';

export const OPTIMISER_NAMES = ['adam', 'sgd'] as const;
export type OptimiserName = (typeof OPTIMISER_NAMES)[number];

export interface OptimiserSettings {
  name: OptimiserName;
  learningRate: number;
  /** SGD's momentum (0 = none); ignored by Adam. */
  momentum: number;
  /** Share of each weight removed per step, times the learning rate. */
  weightDecay: number;
}

export const OPTIMISER_DEFAULTS: Readonly<Record<OptimiserName, OptimiserSettings>> = {
  adam: { name: 'adam', learningRate: 0.01, momentum: 0, weightDecay: 0 },
  sgd: { name: 'sgd', learningRate: 0.1, momentum: 0.9, weightDecay: 0 },
};

export interface Optimiser {
  /** Moves `params` one step against `gradient`. */
  step(params: FloatArray, gradient: FloatArray): void;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

export function createOptimiser(settings: OptimiserSettings, size: number): Optimiser {
  const { learningRate: lr, weightDecay, momentum } = settings;
  const decay = 1 - lr * weightDecay;
  if (settings.name === 'sgd') {
    const velocity = new Float64Array(size);
    return {
      step(params, gradient) {
        for (let i = 0; i < size; i++) {
          velocity[i] = momentum * velocity[i] + gradient[i];
          params[i] = params[i] * decay - lr * velocity[i];
        }
      },
    };
  }
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  let t = 0;
  return {
    step(params, gradient) {
      t++;
      const correction1 = 1 - BETA1 ** t;
      const correction2 = 1 - BETA2 ** t;
      for (let i = 0; i < size; i++) {
        const g = gradient[i];
        m[i] = BETA1 * m[i] + (1 - BETA1) * g;
        v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
        const mHat = m[i] / correction1;
        const vHat = v[i] / correction2;
        params[i] = params[i] * decay - (lr * mHat) / (Math.sqrt(vHat) + EPSILON);
      }
    },
  };
}
