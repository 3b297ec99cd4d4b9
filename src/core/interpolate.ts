/**
 * Moving between networks. Two independent random networks a and b with the
 * same spread: the plain mix (1−u)·a + u·b has spread sqrt((1−u)² + u²), only
 * 0.71 of it halfway, and the picture fades towards grey there. Mixing with
 * cos(θ)·a + sin(θ)·b, θ = u·π/2, keeps the spread constant (cos² + sin² = 1),
 * so the picture stays alive all the way.
 */
import { detCos, detSin } from './det-math.js';
import type { NetworkWeights } from './network.js';

export const BLEND_MODES = ['variance-preserving', 'linear'] as const;
export type BlendMode = (typeof BLEND_MODES)[number];

/** The coefficients [ca, cb] of ca·a + cb·b at progress u in [0, 1]. */
export function blendCoefficients(mode: BlendMode, u: number): [number, number] {
  if (mode === 'linear') return [1 - u, u];
  const theta = (u * Math.PI) / 2;
  // Exact ends, so a keyframe's own network is reproduced bit for bit.
  if (u <= 0) return [1, 0];
  if (u >= 1) return [0, 1];
  return [detCos(theta), detSin(theta)];
}

/** ca·a + cb·b, then × scale, layer by layer (weights and biases alike). */
export function combineWeights(a: NetworkWeights, b: NetworkWeights, ca: number, cb: number, scale = 1, into?: NetworkWeights): NetworkWeights {
  const out = into ?? {
    layers: a.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, weight: new Float32Array(l.weight.length), bias: new Float32Array(l.bias.length) })),
  };
  const wa = ca * scale;
  const wb = cb * scale;
  a.layers.forEach((la, i) => {
    const lb = b.layers[i];
    const lo = out.layers[i];
    for (let k = 0; k < la.weight.length; k++) lo.weight[k] = wa * la.weight[k] + wb * lb.weight[k];
    for (let k = 0; k < la.bias.length; k++) lo.bias[k] = wa * la.bias[k] + wb * lb.bias[k];
  });
  return out;
}

export function scaleWeights(a: NetworkWeights, scale: number): NetworkWeights {
  return combineWeights(a, a, scale, 0);
}
