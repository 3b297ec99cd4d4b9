/**
 * Renders a frame, or a band of its rows, from a complete description of that
 * frame: the pure function at the heart of every still and every video.
 */
import { ACTIVATIONS, type Activation } from './activations.js';
import { ColourMapper, type ColourSettings } from './colour.js';
import { FeatureWriter, type FeatureSpec, type View } from './features.js';
import type { ForwardKernel } from './kernel/kernel.js';
import type { NetworkShape, NetworkWeights } from './network.js';

/** Everything that decides one frame's pixels. */
export interface FrameDescription {
  width: number;
  height: number;
  shape: NetworkShape;
  features: FeatureSpec;
  view: View;
  t: number;
  latent: readonly number[];
  weights: NetworkWeights;
  /** The shape's activations with this frame's parameters (frequency, R, …). */
  activations: readonly Activation[];
  colour: ColourSettings;
  /** Samples per pixel side: n×n samples per pixel, averaged (box filter). 1 (the default) samples the centre only. */
  antialias?: number;
}

/**
 * Writes rows [rowStart, rowEnd) of the frame into `rgba`, which holds exactly
 * those rows (4 bytes per pixel).
 */
export function renderRows(frame: FrameDescription, kernel: ForwardKernel, rgba: Uint8Array | Uint8ClampedArray, rowStart = 0, rowEnd = frame.height): void {
  kernel.setWeights(frame.weights);
  kernel.setActivationParams(frame.activations);
  const features = new FeatureWriter(frame.features, frame);
  const outputActivation = frame.activations[frame.activations.length - 1];
  const colour = new ColourMapper(frame.colour, frame.shape.outputCount, ACTIVATIONS[outputActivation.name].range);
  const first = rowStart * frame.width;
  const total = (rowEnd - rowStart) * frame.width;
  const block = kernel.blockSize;
  const n = frame.antialias ?? 1;
  if (n > 1) return renderRowsAntialiased(n, features, kernel, colour, rgba, first, total);
  for (let done = 0; done < total; done += block) {
    const count = Math.min(block, total - done);
    features.write(kernel.inputs, block, first + done, count);
    kernel.run(count);
    colour.write(kernel.outputs, block, count, rgba, done);
  }
}

/**
 * n×n samples per pixel on a regular grid inside it, averaged. Each block of
 * pixels is evaluated once per sample position and the colours summed in a
 * block-sized buffer, so memory does not grow with n. Every pixel's samples
 * are taken and summed in the same order whatever the block or band it falls
 * in, so the result does not depend on how rows are split between workers.
 */
function renderRowsAntialiased(n: number, features: FeatureWriter, kernel: ForwardKernel, colour: ColourMapper, rgba: Uint8Array | Uint8ClampedArray, first: number, total: number): void {
  const block = kernel.blockSize;
  const sums = new Float64Array(block * 3);
  const offsets = Array.from({ length: n }, (_, s) => (s + 0.5) / n - 0.5);
  for (let done = 0; done < total; done += block) {
    const count = Math.min(block, total - done);
    sums.fill(0);
    for (const dy of offsets) {
      for (const dx of offsets) {
        features.write(kernel.inputs, block, first + done, count, dx, dy);
        kernel.run(count);
        colour.accumulate(kernel.outputs, block, count, sums);
      }
    }
    colour.writeAverage(sums, n * n, count, rgba, done);
  }
}
