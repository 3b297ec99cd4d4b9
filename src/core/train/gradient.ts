/**
 * The backward pass: the loss of a set of pixels and its gradient with
 * respect to every weight and bias. Pixels go through in blocks, layer by
 * layer, with each layer's values laid out unit-major (all pixels of unit 0,
 * then unit 1…) as in the forward kernels, so every inner loop runs over
 * contiguous pixels. Activations and their derivatives come from the one
 * catalogue (activations.ts); the arithmetic runs in float32 for training and
 * in float64 for the finite-difference checks.
 */
import { ACTIVATIONS, type Activation, type OutputRange } from '../activations.js';
import type { NetworkShape } from '../network.js';
import { parameterLayout, type FloatArray, type ParameterLayout } from './parameters.js';

/** The pixels a network is taught: their input features and target colours. */
export interface TrainingSet {
  pixels: number;
  /** features[feature * pixels + pixel]. */
  features: FloatArray;
  /** targets[channel * pixels + pixel], each in [0, 1] as the picture shows it. */
  targets: FloatArray;
}

export type Precision = 'float32' | 'float64';

/** Applies an activation to `count` values and multiplies upstream gradients by its derivative. */
interface ActivationPass {
  forward(pre: FloatArray, post: FloatArray, at: number, count: number): void;
  /** grad[at + j] *= f′(pre[at + j]) (post holds f(pre), which some derivatives reuse). */
  backward(grad: FloatArray, pre: FloatArray, post: FloatArray, at: number, count: number): void;
}

/**
 * The catalogue's float64 definition, element by element. tanh, sigmoid, relu
 * and identity (the common cases) read their derivative off the output they
 * already computed instead of evaluating a second transcendental; the
 * finite-difference tests check these shortcuts like everything else.
 */
function activationPass(a: Activation): ActivationPass {
  const definition = ACTIVATIONS[a.name];
  const generic: ActivationPass = {
    forward(pre, post, at, count) {
      for (let j = at; j < at + count; j++) post[j] = definition.reference(pre[j], a);
    },
    backward(grad, pre, _post, at, count) {
      for (let j = at; j < at + count; j++) grad[j] *= definition.derivative(pre[j], a);
    },
  };
  switch (a.name) {
    case 'identity':
      return {
        forward(pre, post, at, count) {
          for (let j = at; j < at + count; j++) post[j] = pre[j];
        },
        backward: () => undefined,
      };
    case 'tanh':
      return {
        forward(pre, post, at, count) {
          for (let j = at; j < at + count; j++) post[j] = Math.tanh(pre[j]);
        },
        backward(grad, _pre, post, at, count) {
          for (let j = at; j < at + count; j++) {
            const y = post[j];
            grad[j] *= 1 - y * y;
          }
        },
      };
    case 'sigmoid':
      return {
        forward: generic.forward,
        backward(grad, _pre, post, at, count) {
          for (let j = at; j < at + count; j++) {
            const y = post[j];
            grad[j] *= y * (1 - y);
          }
        },
      };
    case 'relu':
      return {
        forward(pre, post, at, count) {
          for (let j = at; j < at + count; j++) post[j] = pre[j] > 0 ? pre[j] : 0;
        },
        backward(grad, pre, _post, at, count) {
          for (let j = at; j < at + count; j++) if (!(pre[j] > 0)) grad[j] = 0;
        },
      };
    default:
      return generic;
  }
}

/** How an output value becomes the [0, 1] value the picture shows (see colour.ts), and that map's slope. */
function unitMap(range: OutputRange): { offset: number; slope: number } {
  return range === 'symmetric' ? { offset: 0.5, slope: 0.5 } : { offset: 0, slope: 1 };
}

export const GRADIENT_BLOCK = 256;

export class GradientEvaluator {
  readonly layout: ParameterLayout;
  private readonly passes: ActivationPass[];
  /** acts[0]: the block's inputs; acts[l]: layer l's outputs after its activation. */
  private readonly acts: FloatArray[];
  /** pres[l - 1]: layer l's values before its activation. */
  private readonly pres: FloatArray[];
  private readonly deltaA: FloatArray;
  private readonly deltaB: FloatArray;
  private readonly unit: { offset: number; slope: number };

  constructor(
    readonly shape: NetworkShape,
    activations: readonly Activation[],
    precision: Precision = 'float32',
    readonly blockSize = GRADIENT_BLOCK,
  ) {
    this.layout = parameterLayout(shape);
    this.passes = activations.map(activationPass);
    const make = (units: number): FloatArray => (precision === 'float64' ? new Float64Array(units * blockSize) : new Float32Array(units * blockSize));
    this.acts = [make(shape.inputCount), ...this.layout.layers.map((slot) => make(slot.outputs))];
    this.pres = this.layout.layers.map((slot) => make(slot.outputs));
    const widest = Math.max(...this.layout.layers.map((slot) => Math.max(slot.inputs, slot.outputs)));
    this.deltaA = make(widest);
    this.deltaB = make(widest);
    this.unit = unitMap(ACTIVATIONS[activations[activations.length - 1].name].range);
  }

  /**
   * The summed squared error over the pixels order[start..end) of `set` (each
   * channel of each pixel counts once). When `gradient` is given, the
   * gradient of that sum is added to it (same layout as `params`).
   */
  evaluate(params: FloatArray, set: TrainingSet, order: ArrayLike<number>, start: number, end: number, gradient?: FloatArray): number {
    let sum = 0;
    for (let first = start; first < end; first += this.blockSize) {
      const count = Math.min(this.blockSize, end - first);
      this.gather(set, order, first, count);
      this.forward(params, count);
      sum += this.outputError(set, order, first, count, gradient !== undefined);
      if (gradient) this.backward(params, count, gradient);
    }
    return sum;
  }

  private gather(set: TrainingSet, order: ArrayLike<number>, first: number, count: number): void {
    const input = this.acts[0];
    const B = this.blockSize;
    for (let f = 0; f < this.shape.inputCount; f++) {
      const from = f * set.pixels;
      const to = f * B;
      for (let j = 0; j < count; j++) input[to + j] = set.features[from + order[first + j]];
    }
  }

  private forward(params: FloatArray, count: number): void {
    const B = this.blockSize;
    this.layout.layers.forEach((slot, l) => {
      const input = this.acts[l];
      const pre = this.pres[l];
      const { inputs, outputs } = slot;
      for (let n = 0; n < outputs; n++) {
        const row = n * B;
        const b = params[slot.bias + n];
        for (let j = 0; j < count; j++) pre[row + j] = b;
        const w0 = slot.weight + n * inputs;
        for (let k = 0; k < inputs; k++) {
          const w = params[w0 + k];
          const from = k * B;
          for (let j = 0; j < count; j++) pre[row + j] += w * input[from + j];
        }
        this.passes[l].forward(pre, this.acts[l + 1], row, count);
      }
    });
  }

  /** Squared error of the block; with `backward`, deltaA receives d(error)/d(output before activation). */
  private outputError(set: TrainingSet, order: ArrayLike<number>, first: number, count: number, backward: boolean): number {
    const B = this.blockSize;
    const L = this.layout.layers.length;
    const output = this.acts[L];
    const { offset, slope } = this.unit;
    const delta = this.deltaA;
    let sum = 0;
    for (let c = 0; c < this.shape.outputCount; c++) {
      const row = c * B;
      const from = c * set.pixels;
      for (let j = 0; j < count; j++) {
        const error = output[row + j] * slope + offset - set.targets[from + order[first + j]];
        sum += error * error;
        delta[row + j] = 2 * error * slope;
      }
      if (backward) this.passes[L - 1].backward(delta, this.pres[L - 1], output, row, count);
    }
    return sum;
  }

  private backward(params: FloatArray, count: number, gradient: FloatArray): void {
    const B = this.blockSize;
    let delta = this.deltaA;
    let below = this.deltaB;
    for (let l = this.layout.layers.length - 1; l >= 0; l--) {
      const slot = this.layout.layers[l];
      const { inputs, outputs } = slot;
      const input = this.acts[l];
      for (let n = 0; n < outputs; n++) {
        const row = n * B;
        let biasSum = 0;
        for (let j = 0; j < count; j++) biasSum += delta[row + j];
        gradient[slot.bias + n] += biasSum;
        const g0 = slot.weight + n * inputs;
        for (let k = 0; k < inputs; k++) {
          const from = k * B;
          let dot = 0;
          for (let j = 0; j < count; j++) dot += delta[row + j] * input[from + j];
          gradient[g0 + k] += dot;
        }
      }
      if (l === 0) break;
      // The gradient reaching the layer below: Wᵀ·delta, then through its activation.
      for (let k = 0; k < inputs; k++) {
        const to = k * B;
        for (let j = 0; j < count; j++) below[to + j] = 0;
        for (let n = 0; n < outputs; n++) {
          const w = params[slot.weight + n * inputs + k];
          const row = n * B;
          for (let j = 0; j < count; j++) below[to + j] += w * delta[row + j];
        }
        this.passes[l - 1].backward(below, this.pres[l - 1], this.acts[l], to, count);
      }
      [delta, below] = [below, delta];
    }
  }
}
