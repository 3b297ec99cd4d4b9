/**
 * fitNetwork: teaches the network a scene describes to reproduce a picture
 * at the scene's coordinates (its view and aspect ratio, at one moment),
 * starting from the scene's own weights so the result stays near a network
 * the scene already knows. Stops after a number of steps, at a PSNR, or when
 * its signal aborts, and always returns the best weights seen.
 */
import { availableParallelism } from 'node:os';
import {
  DEFAULT_BATCH_SIZE,
  flattenWeights,
  parameterLayout,
  imageTrainingSet,
  OPTIMISER_DEFAULTS,
  psnr,
  TrainingRun,
  unflattenWeights,
  untrainableReason,
  type NetworkWeights,
  type OptimiserName,
} from '../core/index.js';
import { option, UserError, words } from '../errors.js';
import { stillTime } from '../render/still.js';
import { FrameBuilder, valuesAt, type LoadedScene } from '../scene/index.js';
import type { FitData } from './gradient-worker.js';
import { ShardPool } from './shard-pool.js';

/** A picture to fit, at the scene's size: RGBA, row by row from the top. */
export interface FitImage {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

export interface FitProgress {
  step: number;
  steps: number;
  /** Mean squared error of the last mini-batch (values in [0, 1]). */
  loss: number;
  /** PSNR of the whole picture at the last evaluation, in dB. */
  psnr: number;
  bestPsnr: number;
  stepsPerSecond: number;
  /** Seconds until `steps` at the current speed. */
  etaSeconds: number;
  elapsedMs: number;
}

export interface FitOptions {
  /** Most steps to take (default 2000). */
  steps?: number;
  /** Stop as soon as the whole picture reaches this PSNR (dB). */
  targetPsnr?: number;
  optimiser?: OptimiserName;
  learningRate?: number;
  /** SGD's momentum (default 0.9). */
  momentum?: number;
  weightDecay?: number;
  /** Pixels per mini-batch (default 4096, or the whole picture when smaller). */
  batchSize?: number;
  /** Worker threads (default one per core); results are the same for the same seed and worker count. */
  workers?: number;
  /** Seeds the mini-batch order (default: the scene's seed). */
  seed?: number;
  /** Weights to start from, in the scene's units (default: the scene's network at `at`). */
  init?: NetworkWeights;
  /** The moment of the scene whose view, time and parameters the fit uses, in seconds (default 0). */
  at?: number;
  /** Steps between evaluations of the whole picture (default 25). */
  evaluateEvery?: number;
  onProgress?: (progress: FitProgress) => void;
  signal?: AbortSignal;
}

export interface FitPoint {
  step: number;
  /** Mini-batch mean squared error (step 0: the whole picture's, before any step). */
  loss: number;
  /** Whole-picture PSNR, at the steps where it was evaluated. */
  psnr?: number;
}

export type FitStop = 'steps' | 'psnr' | 'interrupted';

export interface FitResult {
  /** The best weights seen, in the scene's units: `weights: file.json` in the same scene renders them. */
  weights: NetworkWeights;
  /** The step the best weights come from (0: the starting weights). */
  bestStep: number;
  /** Whole-picture mean squared error and PSNR of the best weights. */
  mse: number;
  psnr: number;
  /** Steps taken. */
  steps: number;
  stopped: FitStop;
  history: FitPoint[];
  elapsedMs: number;
  stepsPerSecond: number;
  workers: number;
}

const DEFAULT_STEPS = 2000;

let fitCounter = 0;

/** Refuses what a fit cannot do, naming the option or scene key to change. */
function check(loaded: LoadedScene, target: FitImage, o: FitOptions): void {
  const { width, height } = loaded.model;
  if (target.width !== width || target.height !== height) throw new UserError(`the target is ${target.width}x${target.height} but the scene renders ${width}x${height}; resize the target (the fit command does) or set the scene's size`);
  const positive = (name: string, v: number | undefined, whole = false): void => {
    if (v !== undefined && !(Number.isFinite(v) && v > 0 && (!whole || Number.isInteger(v)))) throw new UserError(`${name} must be a ${whole ? 'whole number' : 'number'} above 0, got ${v}`);
  };
  positive('steps', o.steps, true);
  positive('batch size', o.batchSize, true);
  positive('learning rate', o.learningRate);
  positive('workers', o.workers, true);
  positive('evaluateEvery', o.evaluateEvery, true);
  if (o.weightDecay !== undefined && !(o.weightDecay >= 0)) throw new UserError(`weight decay must be 0 or more, got ${o.weightDecay}`);
  if (o.momentum !== undefined && !(o.momentum >= 0 && o.momentum < 1)) throw new UserError(`momentum must be in [0, 1), got ${o.momentum}`);
}

export async function fitNetwork(loaded: LoadedScene, target: FitImage, options: FitOptions = {}): Promise<FitResult> {
  check(loaded, target, options);
  const { model } = loaded;
  // The same moment the fitted picture is rendered at (a loop's later times map into its first period).
  const at = stillTime(loaded, options.at ?? 0);
  const builder = new FrameBuilder(model, loaded.library);
  const frame = builder.atTime(at);
  const hiddenCount = model.shape.hidden.length;
  const refused = untrainableReason(frame.activations, (i) => (i < hiddenCount ? `hidden layer ${i + 1}` : 'the output layer'));
  if (refused) throw new UserError(refused);
  // Weights files hold the network before the scene's weight scale; the fit works on what renders.
  const scale = valuesAt(model.timeline, at).numbers.scale ?? model.scene.network.scale;
  if (scale === 0) throw new UserError('the weight scale is 0 at this moment, so every picture is flat and nothing can be learned; set network.scale (or the keyframe scale) to another value');
  const set = imageTrainingSet(model.features, frame, model.shape.inputCount, model.shape.outputCount as 1 | 3, target.data);
  const layout = parameterLayout(model.shape);
  const steps = options.steps ?? DEFAULT_STEPS;
  const optimiserName = options.optimiser ?? 'adam';
  const defaults = OPTIMISER_DEFAULTS[optimiserName];
  const run = new TrainingRun(
    options.init ? flattenWeights(layout, options.init, undefined, scale) : flattenWeights(layout, frame.weights),
    set.pixels,
    model.shape.outputCount,
    {
      optimiser: {
        name: optimiserName,
        learningRate: options.learningRate ?? defaults.learningRate,
        momentum: options.momentum ?? defaults.momentum,
        weightDecay: options.weightDecay ?? defaults.weightDecay,
      },
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      seed: options.seed ?? model.scene.seed,
    },
  );
  const shared = (values: Float32Array): SharedArrayBuffer => {
    const buffer = new SharedArrayBuffer(values.byteLength);
    new Float32Array(buffer).set(values);
    return buffer;
  };
  const data: FitData = {
    key: `fit-${process.pid}-${++fitCounter}`,
    shape: model.shape,
    activations: frame.activations,
    pixels: set.pixels,
    features: shared(set.features as Float32Array),
    targets: shared(set.targets as Float32Array),
  };
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), 64));
  const pool = new ShardPool(data, workers);
  const everyPixel = new SharedArrayBuffer(set.pixels * 4);
  new Uint32Array(everyPixel).forEach((_, i, a) => (a[i] = i));
  const batchOrder = new SharedArrayBuffer(Math.min(run.batches.batchSize, set.pixels) * 4);
  const batchView = new Uint32Array(batchOrder);
  const values = set.pixels * model.shape.outputCount;
  const evaluateEvery = options.evaluateEvery ?? 25;
  const history: FitPoint[] = [];
  const best = { params: Float32Array.from(run.params), mse: Infinity, step: 0 };
  let lastPsnr = -Infinity;
  const evaluate = async (step: number): Promise<number> => {
    pool.params.set(run.params);
    const mse = (await pool.error(everyPixel, 0, set.pixels)) / values;
    if (mse < best.mse) {
      best.mse = mse;
      best.step = step;
      best.params.set(run.params);
    }
    lastPsnr = psnr(mse);
    return lastPsnr;
  };
  const started = performance.now();
  let stopped: FitStop = 'steps';
  try {
    const first = await evaluate(0);
    history.push({ step: 0, loss: best.mse, psnr: first });
    if (options.targetPsnr !== undefined && first >= options.targetPsnr) stopped = 'psnr';
    while (stopped === 'steps' && run.steps < steps) {
      if (options.signal?.aborted) {
        stopped = 'interrupted';
        break;
      }
      const { start, end } = run.batches.next();
      batchView.set(run.batches.order.subarray(start, end));
      pool.params.set(run.params);
      const errorSum = await pool.gradient(batchOrder, 0, end - start);
      const loss = run.apply(errorSum, pool.gradientSum, end - start);
      if (!Number.isFinite(loss)) throw new UserError(words`the loss became ${loss} at step ${run.steps}; lower the learning rate (${option('learningRate')})`);
      const point: FitPoint = { step: run.steps, loss };
      if (run.steps % evaluateEvery === 0 || run.steps === steps) {
        point.psnr = await evaluate(run.steps);
        if (options.targetPsnr !== undefined && point.psnr >= options.targetPsnr) stopped = 'psnr';
      }
      history.push(point);
      const elapsedMs = performance.now() - started;
      const stepsPerSecond = run.steps / (elapsedMs / 1000);
      options.onProgress?.({ step: run.steps, steps, loss, psnr: lastPsnr, bestPsnr: psnr(best.mse), stepsPerSecond, etaSeconds: (steps - run.steps) / stepsPerSecond, elapsedMs });
      // Let signals (Ctrl-C) and timers through when the shards run on this thread.
      if (workers === 1) await new Promise((resolve) => setImmediate(resolve));
    }
    if (history.length > 0 && history[history.length - 1].psnr === undefined) history[history.length - 1].psnr = await evaluate(run.steps);
  } finally {
    await pool.destroy();
  }
  const elapsedMs = performance.now() - started;
  return {
    weights: unflattenWeights(layout, best.params, 1 / scale),
    bestStep: best.step,
    mse: best.mse,
    psnr: psnr(best.mse),
    steps: run.steps,
    stopped,
    history,
    elapsedMs,
    stepsPerSecond: run.steps / (elapsedMs / 1000),
    workers,
  };
}
