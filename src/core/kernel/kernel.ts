/**
 * The forward-pass contract shared by every backend. A kernel evaluates the
 * network over one block of pixels at a time, layer by layer, with the block's
 * values laid out feature-major (all pixels of feature 0, then of feature 1…)
 * so that the inner loops run over contiguous pixels.
 */
import type { Activation } from '../activations.js';
import type { NetworkShape, NetworkWeights } from '../network.js';

export type KernelBackend = 'wasm-simd' | 'js';

export interface ForwardKernel {
  readonly backend: KernelBackend;
  readonly shape: NetworkShape;
  /** Pixels per block; `run` takes at most this many. A multiple of PIXEL_GROUP. */
  readonly blockSize: number;
  /** Features of the block: inputs[feature * blockSize + pixel]. Filled by the caller. */
  readonly inputs: Float32Array;
  /** Result of the last run: outputs[channel * blockSize + pixel]. */
  readonly outputs: Float32Array;
  setWeights(weights: NetworkWeights): void;
  /** Numeric activation parameters (frequency, slope, alpha, r) of every layer. */
  setActivationParams(activations: readonly Activation[]): void;
  /** Evaluates the first `pixelCount` pixels of the block. */
  run(pixelCount: number): void;
}

/** Pixels processed together by the SIMD kernel: 4 vectors of 4 lanes. */
export const PIXEL_GROUP = 16;

/**
 * Chooses how many pixels a block holds: enough to amortise per-layer set-up,
 * few enough that a layer's input and output (widest layer × block × 4 bytes,
 * twice) stay within a core's 32–48 KiB L1 data cache.
 */
export function chooseBlockSize(shape: NetworkShape): number {
  const widest = Math.max(shape.inputCount, shape.outputCount, ...shape.hidden);
  const budgetBytes = 24 * 1024;
  let block = PIXEL_GROUP;
  while (block * 2 * widest * 4 * 2 <= budgetBytes && block < 1024) block *= 2;
  return Math.max(block, 64);
}
