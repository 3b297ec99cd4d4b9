/**
 * Per-layer statistics of one frame, from the float64 reference forward pass:
 * how large the values are, how much they change across the image, how many
 * units are saturated or dead, and how much the output varies.
 */
import { ACTIVATIONS, renderReference, type ActivationName, type FrameDescription, type OutputRange } from '../core/index.js';
import { activationFamily, DEAD_SPREAD, saturationTest, type ActivationFamily } from './families.js';

export interface LayerStats {
  /** 1 for the first hidden layer; the output layer is the last. */
  layer: number;
  role: 'hidden' | 'output';
  activation: ActivationName;
  family: ActivationFamily;
  units: number;
  /** Over every unit at every pixel. */
  mean: number;
  std: number;
  /**
   * How much a unit's value changes across the image (its standard deviation
   * over the pixels, root-mean-square over the layer's units). Unlike `std` it
   * leaves out the constant offsets that biases give each unit: it is the
   * picture the next layer has to work with.
   */
  pixelStd: number;
  /** Share of values at a saturated end (tanh-like and sigmoid-like layers). */
  saturated?: number;
  /** Share of units that are flat over the whole image (relu-like layers). */
  dead?: number;
}

export interface NetworkStats {
  /** The size the frame was evaluated at. */
  width: number;
  height: number;
  layers: LayerStats[];
  /** Per output channel: its standard deviation across the image on the 0–1 scale it is shown on. */
  outputStd: number[];
}

/** Where an output value falls on the 0–1 scale of a colour channel (before contrast and brightness). */
export function colourScale(range: OutputRange): (v: number) => number {
  const clamp = (v: number): number => Math.min(Math.max(v, 0), 1);
  return range === 'symmetric' ? (v) => clamp((v + 1) * 0.5) : clamp;
}

/** Measures one layer's values (unit-major: values[unit * pixels + p]). */
export function measureLayer(layer: number, role: LayerStats['role'], activation: ActivationName, values: Float64Array, units: number, pixels: number): LayerStats {
  const family = activationFamily(activation);
  const saturates = saturationTest(family);
  let sum = 0;
  let sumSq = 0;
  let pixelVariance = 0;
  let saturated = 0;
  let dead = 0;
  for (let u = 0; u < units; u++) {
    const row = values.subarray(u * pixels, (u + 1) * pixels);
    let s = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let p = 0; p < pixels; p++) {
      const v = row[p];
      s += v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (saturates?.(v)) saturated++;
    }
    const unitMean = s / pixels;
    let variance = 0;
    for (let p = 0; p < pixels; p++) variance += (row[p] - unitMean) ** 2;
    variance /= pixels;
    pixelVariance += variance;
    sum += s;
    sumSq += variance * pixels + unitMean * unitMean * pixels;
    if (max - min <= DEAD_SPREAD) dead++;
  }
  const count = units * pixels;
  const mean = sum / count;
  return {
    layer,
    role,
    activation,
    family,
    units,
    mean,
    std: Math.sqrt(Math.max(0, sumSq / count - mean * mean)),
    pixelStd: Math.sqrt(pixelVariance / units),
    saturated: saturates ? saturated / count : undefined,
    dead: family === 'relu-like' ? dead / units : undefined,
  };
}

/**
 * Evaluates `frame` in float64 and measures every layer. `onLayer` also
 * receives each layer's values (unit-major, as from renderReference).
 */
export function networkStats(frame: FrameDescription, onLayer?: (layer: number, values: Float64Array, units: number) => void): NetworkStats {
  const pixels = frame.width * frame.height;
  const count = frame.weights.layers.length;
  const layers: LayerStats[] = [];
  const result = renderReference(frame, (index, values, units) => {
    layers.push(measureLayer(index + 1, index === count - 1 ? 'output' : 'hidden', frame.activations[index].name, values, units, pixels));
    onLayer?.(index, values, units);
  });
  const output = frame.activations[count - 1];
  const toColour = colourScale(ACTIVATIONS[output.name].range);
  const outputStd = Array.from({ length: frame.shape.outputCount }, (_, c) => {
    let s = 0;
    let sq = 0;
    for (let p = 0; p < pixels; p++) {
      const v = toColour(result.outputs[c * pixels + p]);
      s += v;
      sq += v * v;
    }
    const m = s / pixels;
    return Math.sqrt(Math.max(0, sq / pixels - m * m));
  });
  return { width: frame.width, height: frame.height, layers, outputStd };
}
