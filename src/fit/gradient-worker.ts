/**
 * The training worker: computes the squared error of one shard of a
 * mini-batch (and, for a training step, its gradient) on its own thread.
 * Training data, parameters and results all live in shared memory owned by
 * the caller, so a task carries only handles and numbers.
 */
import { GradientEvaluator, type Activation, type NetworkShape, type TrainingSet } from '../core/index.js';

/** The fixed part of a fit: sent with every task, cached by `key` in each worker. */
export interface FitData {
  key: string;
  shape: NetworkShape;
  activations: readonly Activation[];
  pixels: number;
  /** Float32 features[feature * pixels + pixel]. */
  features: SharedArrayBuffer;
  /** Float32 targets[channel * pixels + pixel]. */
  targets: SharedArrayBuffer;
}

export interface ShardTask {
  data: FitData;
  /** Float32 parameters (the flat layout of core/train/parameters.ts). */
  params: SharedArrayBuffer;
  /** Uint32 pixel indices; the shard covers order[start..end). */
  order: SharedArrayBuffer;
  start: number;
  end: number;
  /** Where to write the shard's gradient (Float32, byte offset), or undefined for the error alone. */
  gradient?: { buffer: SharedArrayBuffer; offset: number };
}

let cached: { key: string; evaluator: GradientEvaluator; set: TrainingSet } | undefined;

function prepare(data: FitData): { evaluator: GradientEvaluator; set: TrainingSet } {
  if (cached?.key !== data.key) {
    cached = {
      key: data.key,
      evaluator: new GradientEvaluator(data.shape, data.activations),
      set: { pixels: data.pixels, features: new Float32Array(data.features), targets: new Float32Array(data.targets) },
    };
  }
  return cached;
}

/** Runs one shard; returns its summed squared error. */
export function runShard(task: ShardTask): number {
  const { evaluator, set } = prepare(task.data);
  const params = new Float32Array(task.params);
  const order = new Uint32Array(task.order);
  if (!task.gradient) return evaluator.evaluate(params, set, order, task.start, task.end);
  const gradient = new Float32Array(task.gradient.buffer, task.gradient.offset, evaluator.layout.size);
  gradient.fill(0);
  return evaluator.evaluate(params, set, order, task.start, task.end, gradient);
}

export default runShard;
