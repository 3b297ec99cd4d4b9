/**
 * A plain float64 evaluation of a frame: exact activations, no SIMD, no
 * approximations. Slow; used to check the fast kernels' accuracy and to look
 * inside the network (every layer's values are offered to a callback).
 */
import { ACTIVATIONS } from './activations.js';
import { ColourMapper } from './colour.js';
import { FeatureWriter, featureCount } from './features.js';
import type { FrameDescription } from './frame.js';

export interface ReferenceResult {
  /** Output channels, channel-major: outputs[c * pixels + p]. */
  outputs: Float64Array;
  rgba: Uint8ClampedArray;
}

/**
 * `onLayer(index, values)` receives each layer's activations after the
 * activation function, unit-major (values[unit * pixels + p]); the last call
 * is the output layer.
 */
export function renderReference(frame: FrameDescription, onLayer?: (layer: number, values: Float64Array, units: number) => void): ReferenceResult {
  const pixels = frame.width * frame.height;
  const inputs = featureCount(frame.features);
  // Features in float32 first, as the kernels see them, then widened.
  const f32 = new Float32Array(inputs * pixels);
  new FeatureWriter(frame.features, frame).write(f32, pixels, 0, pixels);
  let current = Float64Array.from(f32);
  let width = inputs;
  frame.weights.layers.forEach((layer, index) => {
    const next = new Float64Array(layer.outputs * pixels);
    const activation = frame.activations[index];
    const fn = ACTIVATIONS[activation.name].reference;
    // Unit by unit, input by input, over contiguous rows of pixels: each sum
    // still runs bias + w₀x₀ + w₁x₁ + … in the same order, so the values are
    // the same as a pixel-by-pixel loop, without striding across the inputs.
    for (let n = 0; n < layer.outputs; n++) {
      const row = next.subarray(n * pixels, (n + 1) * pixels);
      row.fill(layer.bias[n]);
      for (let k = 0; k < width; k++) {
        const w = layer.weight[n * width + k];
        const input = current.subarray(k * pixels, (k + 1) * pixels);
        for (let p = 0; p < pixels; p++) row[p] += w * input[p];
      }
      for (let p = 0; p < pixels; p++) row[p] = fn(row[p], activation);
    }
    onLayer?.(index, next, layer.outputs);
    current = next;
    width = layer.outputs;
  });
  const rgba = new Uint8ClampedArray(pixels * 4);
  const output = frame.activations[frame.activations.length - 1];
  const colour = new ColourMapper(frame.colour, frame.shape.outputCount, ACTIVATIONS[output.name].range);
  colour.write(Float32Array.from(current), pixels, pixels, rgba, 0);
  return { outputs: current, rgba };
}

export interface RgbaDifference {
  /** Share of colour values (alpha left out) that are equal. */
  equal: number;
  /** Share within ±1 of each other. */
  within1: number;
  /** Largest difference. */
  worst: number;
}

/** How far two RGBA images are apart, value by value (for accuracy checks). */
export function rgbaDifference(a: ArrayLike<number>, b: ArrayLike<number>): RgbaDifference {
  let equal = 0;
  let within1 = 0;
  let worst = 0;
  let values = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    const d = Math.abs(a[i] - b[i]);
    if (d === 0) equal++;
    if (d <= 1) within1++;
    worst = Math.max(worst, d);
    values++;
  }
  return { equal: equal / values, within1: within1 / values, worst };
}
