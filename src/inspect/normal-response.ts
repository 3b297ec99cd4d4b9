/**
 * What an activation does to a standard normal input: the distribution of
 * f(z) for z ~ N(0, 1), its mean and standard deviation. This is what a
 * layer passes on when its pre-activations are roughly normal, and why weight
 * scale, depth and activation decide between grey goo and structure.
 *
 * Computed by quadrature over the normal density (Simpson's rule on
 * [−10, 10], 20 000 intervals) rather than by sampling, so the numbers are
 * exact to many digits and the same on every run.
 */
import { ACTIVATIONS, type Activation } from '../core/index.js';

export interface HistogramBin {
  /** The bin covers [from, to). */
  from: number;
  to: number;
  /** Probability that f(z) falls in the bin. */
  share: number;
}

export interface NormalResponse {
  mean: number;
  std: number;
  bins: HistogramBin[];
}

const LIMIT = 10;
const INTERVALS = 20_000;
/** The histogram spans f's values for z in ±4 (all but 0.006 % of inputs; the rest join the end bins). */
const HISTOGRAM_SPAN = 4;

const density = (z: number): number => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

export function normalResponse(activation: Activation, binCount = 40): NormalResponse {
  const f = (z: number): number => ACTIVATIONS[activation.name].reference(z, activation);
  const h = (2 * LIMIT) / INTERVALS;
  let mean = 0;
  let square = 0;
  let low = Infinity;
  let high = -Infinity;
  const values = new Float64Array(INTERVALS + 1);
  const weights = new Float64Array(INTERVALS + 1);
  for (let i = 0; i <= INTERVALS; i++) {
    const z = -LIMIT + i * h;
    const v = f(z);
    const simpson = i === 0 || i === INTERVALS ? 1 : i % 2 === 1 ? 4 : 2;
    const w = (simpson * h * density(z)) / 3;
    values[i] = v;
    weights[i] = w;
    mean += w * v;
    square += w * v * v;
    if (Math.abs(z) <= HISTOGRAM_SPAN) {
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
  }
  const std = Math.sqrt(Math.max(0, square - mean * mean));
  const count = high > low ? binCount : 1;
  const width = high > low ? (high - low) / count : 1;
  const bins: HistogramBin[] = Array.from({ length: count }, (_, b) => ({ from: low + b * width, to: low + (b + 1) * width, share: 0 }));
  let total = 0;
  for (let i = 0; i <= INTERVALS; i++) total += weights[i];
  for (let i = 0; i <= INTERVALS; i++) {
    const b = Math.min(count - 1, Math.max(0, Math.floor((values[i] - low) / width)));
    bins[b].share += weights[i] / total;
  }
  return { mean, std, bins };
}
