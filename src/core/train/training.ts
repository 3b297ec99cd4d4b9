/**
 * One training run: parameters, their optimiser and the mini-batch order.
 * Where the gradient of a batch is computed is the caller's choice (here on
 * one thread with `trainLocally`, or split over worker threads by the Node
 * layer); the run only needs the summed gradient back.
 */
import type { Activation } from '../activations.js';
import type { NetworkShape } from '../network.js';
import { PixelBatches } from './batches.js';
import { GradientEvaluator, type TrainingSet } from './gradient.js';
import { createOptimiser, OPTIMISER_DEFAULTS, type Optimiser, type OptimiserSettings } from './optimiser.js';
import type { FloatArray } from './parameters.js';

export interface TrainingOptions {
  optimiser: OptimiserSettings;
  /** Pixels per mini-batch. */
  batchSize: number;
  /** Seeds the order of the mini-batches. */
  seed: number;
}

export const DEFAULT_BATCH_SIZE = 4096;

export class TrainingRun {
  readonly params: Float32Array;
  readonly gradient: Float32Array;
  readonly batches: PixelBatches;
  private readonly optimiser: Optimiser;
  steps = 0;

  constructor(
    initial: ArrayLike<number>,
    pixels: number,
    private readonly channels: number,
    options: TrainingOptions,
  ) {
    this.params = Float32Array.from(initial);
    this.gradient = new Float32Array(this.params.length);
    this.batches = new PixelBatches(pixels, Math.min(options.batchSize, pixels), options.seed);
    this.optimiser = createOptimiser(options.optimiser, this.params.length);
  }

  /**
   * Takes one step from the summed squared error of a batch of `count` pixels
   * and its summed gradient; returns the batch's mean squared error.
   */
  apply(errorSum: number, gradientSum: FloatArray, count: number): number {
    const values = count * this.channels;
    for (let i = 0; i < gradientSum.length; i++) this.gradient[i] = gradientSum[i] / values;
    this.optimiser.step(this.params, this.gradient);
    this.steps++;
    return errorSum / values;
  }
}

export interface LocalTrainingOptions extends Partial<TrainingOptions> {
  steps: number;
}

export interface LocalTrainingResult {
  params: Float32Array;
  /** Mean squared error of each step's batch. */
  losses: number[];
}

/** Trains on the calling thread (small problems, tests, the browser). */
export function trainLocally(shape: NetworkShape, activations: readonly Activation[], set: TrainingSet, initial: ArrayLike<number>, options: LocalTrainingOptions): LocalTrainingResult {
  const evaluator = new GradientEvaluator(shape, activations);
  const run = new TrainingRun(initial, set.pixels, shape.outputCount, {
    optimiser: options.optimiser ?? OPTIMISER_DEFAULTS.adam,
    batchSize: options.batchSize ?? 4096,
    seed: options.seed ?? 1,
  });
  const sum = new Float32Array(run.params.length);
  const losses: number[] = [];
  for (let s = 0; s < options.steps; s++) {
    const { start, end } = run.batches.next();
    sum.fill(0);
    const error = evaluator.evaluate(run.params, set, run.batches.order, start, end, sum);
    losses.push(run.apply(error, sum, end - start));
  }
  return { params: run.params, losses };
}

/** Mean squared error of the whole set (every pixel, every channel). */
export function meanSquaredError(evaluator: GradientEvaluator, params: FloatArray, set: TrainingSet): number {
  const order = Uint32Array.from({ length: set.pixels }, (_, i) => i);
  return evaluator.evaluate(params, set, order, 0, set.pixels) / (set.pixels * evaluator.shape.outputCount);
}
