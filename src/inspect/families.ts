/**
 * Activation families: which statistics say something about a layer. A
 * tanh-like or sigmoid-like unit can saturate (pinned at an end of its range,
 * where its slope is almost zero); a relu-like unit can die (flat at every
 * pixel, so it passes nothing on). The one place that sorts activations so.
 */
import type { ActivationName } from '../core/index.js';

export type ActivationFamily = 'tanh-like' | 'sigmoid-like' | 'relu-like' | 'linear';

const FAMILY: Readonly<Record<ActivationName, ActivationFamily>> = {
  tanh: 'tanh-like',
  hardtanh: 'tanh-like',
  sin: 'tanh-like',
  cos: 'tanh-like',
  sigmoid: 'sigmoid-like',
  logistic: 'sigmoid-like',
  gaussian: 'sigmoid-like',
  relu: 'relu-like',
  'leaky-relu': 'relu-like',
  elu: 'relu-like',
  selu: 'relu-like',
  celu: 'relu-like',
  softplus: 'relu-like',
  swish: 'relu-like',
  mish: 'relu-like',
  identity: 'linear',
};

export function activationFamily(name: ActivationName): ActivationFamily {
  return FAMILY[name];
}

/** Saturated: |a| > 0.99 (tanh-like), a > 0.99 or a < 0.01 (sigmoid-like). */
export const SATURATION_EDGE = 0.99;

/**
 * Whether a value sits at a saturated end, or undefined for families that do
 * not saturate.
 */
export function saturationTest(family: ActivationFamily): ((a: number) => boolean) | undefined {
  switch (family) {
    case 'tanh-like':
      return (a) => Math.abs(a) > SATURATION_EDGE;
    case 'sigmoid-like':
      return (a) => a > SATURATION_EDGE || a < 1 - SATURATION_EDGE;
    default:
      return undefined;
  }
}

/**
 * A relu-like unit is dead when its value does not change across the image
 * (for relu: zero at every pixel). Differences below this are rounding.
 */
export const DEAD_SPREAD = 1e-6;
