/**
 * The backward pass: the loss of a set of pixels and its gradient with
 * respect to every weight and bias. Pixels go through in blocks, layer by
 * layer, with each layer's values laid out unit-major (all pixels of unit 0,
 * then unit 1…) as in the forward kernels, so every inner loop runs over
 * contiguous pixels. Activations and their derivatives come from the one
 * catalogue (activations.ts); the matrix products run in WebAssembly SIMD
 * (float32) for training, or in JavaScript (float32, or float64 for the
 * finite-difference checks).
 */
import { ACTIVATION_PARAMS, ACTIVATIONS, type Activation, type OutputRange } from '../activations.js';
import { wasmSimdSupported } from '../kernel/wasm-kernel.js';
import { TANH_CLAMP, TANH_DENOMINATOR, TANH_NUMERATOR } from '../kernel/vector-math.js';
import type { NetworkShape } from '../network.js';
import { jsMatrixOps, PIXEL_GROUP, wasmMatrixOps, type MatrixOps } from './matrix-ops.js';
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

/** An activation over `count` values of one array: pre-activations at `pre`, outputs at `post`. */
interface ActivationPass {
  forward(v: FloatArray, pre: number, post: number, count: number): void;
  /** v[grad + j] *= f′(v[pre + j]) (v[post + j] holds f(pre), which some derivatives reuse). */
  backward(v: FloatArray, grad: number, pre: number, post: number, count: number): void;
}

/**
 * tanh as the forward kernels compute it (vector-math.ts: a rational
 * approximation on a clamped input), so a float32 fit learns the function the
 * renderer draws, at a fraction of Math.tanh's cost (a million calls per step
 * for 8 layers of 32 and 4,096 pixels). Its error (below 1.2e-5) is far under
 * what a gradient step notices; float64 checks use the exact tanh.
 */
function rationalTanh(v: FloatArray, pre: number, post: number, count: number): void {
  const [a0, a1, a2] = TANH_NUMERATOR;
  const [b0, b1, b2] = TANH_DENOMINATOR;
  for (let j = 0; j < count; j++) {
    const x = Math.min(Math.max(v[pre + j], -TANH_CLAMP), TANH_CLAMP);
    const s = x * x;
    v[post + j] = (x * (a0 + s * (a1 + s * a2))) / (b0 + s * (b1 + s * (b2 + s)));
  }
}

/**
 * The catalogue's float64 definition, element by element. tanh, sigmoid, relu
 * and identity (the common cases) read their derivative off the output they
 * already computed instead of evaluating a second transcendental; the
 * finite-difference tests check these shortcuts like everything else.
 */
function activationPass(a: Activation, precision: Precision): ActivationPass {
  const definition = ACTIVATIONS[a.name];
  const generic: ActivationPass = {
    forward(v, pre, post, count) {
      for (let j = 0; j < count; j++) v[post + j] = definition.reference(v[pre + j], a);
    },
    backward(v, grad, pre, _post, count) {
      for (let j = 0; j < count; j++) v[grad + j] *= definition.derivative(v[pre + j], a);
    },
  };
  switch (a.name) {
    case 'identity':
      return {
        forward(v, pre, post, count) {
          v.copyWithin(post, pre, pre + count);
        },
        backward: () => undefined,
      };
    case 'tanh':
      return {
        forward: precision === 'float64' ? (v, pre, post, count) => {
          for (let j = 0; j < count; j++) v[post + j] = Math.tanh(v[pre + j]);
        } : rationalTanh,
        backward(v, grad, _pre, post, count) {
          for (let j = 0; j < count; j++) {
            const y = v[post + j];
            v[grad + j] *= 1 - y * y;
          }
        },
      };
    case 'sigmoid':
      return {
        forward: generic.forward,
        backward(v, grad, _pre, post, count) {
          for (let j = 0; j < count; j++) {
            const y = v[post + j];
            v[grad + j] *= y * (1 - y);
          }
        },
      };
    case 'relu':
      return {
        forward(v, pre, post, count) {
          for (let j = 0; j < count; j++) {
            const x = v[pre + j];
            v[post + j] = x > 0 ? x : 0;
          }
        },
        backward(v, grad, pre, _post, count) {
          for (let j = 0; j < count; j++) if (!(v[pre + j] > 0)) v[grad + j] = 0;
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

/** wasm-simd: WebAssembly SIMD products (float32 only); js: plain JavaScript; auto: SIMD where it runs. */
export type GradientBackend = 'auto' | 'wasm-simd' | 'js';

let simd: boolean | undefined;

/** Where everything lives in the arena (float indices, 16-float aligned). */
interface ArenaLayout {
  params: number;
  /** Each layer's numeric activation parameters, in ACTIVATION_PARAMS order. */
  activationParams: number;
  /** Each layer's weights transposed (for Wᵀ·delta); unused for the first layer. */
  transposed: number[];
  gradient: number;
  /** acts[0]: the block's inputs; acts[l + 1]: layer l's outputs after its activation. */
  acts: number[];
  /** pres[l]: layer l's values before its activation. */
  pres: number[];
  deltaA: number;
  deltaB: number;
  /** A row of ones: a bias gradient is the outer product of delta with it. */
  ones: number;
  size: number;
}

function arenaLayout(layout: ParameterLayout, inputCount: number, block: number): ArenaLayout {
  let at = 0;
  const take = (floats: number): number => {
    const offset = at;
    at += Math.ceil(floats / 16) * 16;
    return offset;
  };
  const widest = Math.max(...layout.layers.map((slot) => Math.max(slot.inputs, slot.outputs)));
  return {
    params: take(layout.size),
    activationParams: take(layout.layers.length * ACTIVATION_PARAMS.length),
    transposed: layout.layers.map((slot) => take(slot.inputs * slot.outputs)),
    gradient: take(layout.size),
    acts: [take(inputCount * block), ...layout.layers.map((slot) => take(slot.outputs * block))],
    pres: layout.layers.map((slot) => take(slot.outputs * block)),
    deltaA: take(widest * block),
    deltaB: take(widest * block),
    ones: take(block),
    size: at,
  };
}

export class GradientEvaluator {
  readonly layout: ParameterLayout;
  readonly backend: 'wasm-simd' | 'js';
  private readonly passes: ActivationPass[];
  private readonly ops: MatrixOps;
  private readonly arena: FloatArray;
  private readonly at: ArenaLayout;
  private readonly unit: { offset: number; slope: number };
  private readonly names: string[];

  constructor(
    readonly shape: NetworkShape,
    activations: readonly Activation[],
    precision: Precision = 'float32',
    readonly blockSize = GRADIENT_BLOCK,
    backend: GradientBackend = 'auto',
  ) {
    if (blockSize % PIXEL_GROUP !== 0) throw new RangeError(`the block size must be a multiple of ${PIXEL_GROUP}, got ${blockSize}`);
    this.layout = parameterLayout(shape);
    this.passes = activations.map((a) => activationPass(a, precision));
    this.at = arenaLayout(this.layout, shape.inputCount, blockSize);
    simd ??= wasmSimdSupported();
    const useSimd = precision === 'float32' && backend !== 'js' && simd;
    if (backend === 'wasm-simd' && !useSimd) throw new RangeError('WebAssembly SIMD runs float32 only, and needs an engine that supports it');
    this.backend = useSimd ? 'wasm-simd' : 'js';
    this.ops = useSimd ? wasmMatrixOps(this.at.size, activations) : jsMatrixOps(precision === 'float64' ? new Float64Array(this.at.size) : new Float32Array(this.at.size));
    this.arena = this.ops.arena;
    this.arena.fill(1, this.at.ones, this.at.ones + blockSize);
    this.names = activations.map((a) => a.name);
    activations.forEach((a, l) => ACTIVATION_PARAMS.forEach((name, i) => (this.arena[this.at.activationParams + l * ACTIVATION_PARAMS.length + i] = a[name])));
    this.unit = unitMap(ACTIVATIONS[activations[activations.length - 1].name].range);
  }

  /**
   * The summed squared error over the pixels order[start..end) of `set` (each
   * channel of each pixel counts once). When `gradient` is given, the
   * gradient of that sum is added to it (same layout as `params`).
   */
  evaluate(params: FloatArray, set: TrainingSet, order: ArrayLike<number>, start: number, end: number, gradient?: FloatArray): number {
    const { arena, at } = this;
    arena.set(params, at.params);
    if (gradient) {
      arena.fill(0, at.gradient, at.gradient + this.layout.size);
      this.layout.layers.forEach((slot, l) => {
        if (l === 0) return;
        const from = at.params + slot.weight;
        const to = at.transposed[l];
        for (let n = 0; n < slot.outputs; n++) for (let k = 0; k < slot.inputs; k++) arena[to + k * slot.outputs + n] = arena[from + n * slot.inputs + k];
      });
    }
    let sum = 0;
    for (let first = start; first < end; first += this.blockSize) {
      const count = Math.min(this.blockSize, end - first);
      this.gather(set, order, first, count);
      this.forward(count);
      sum += this.outputError(set, order, first, count, gradient !== undefined);
      if (gradient) this.backward(count);
    }
    if (gradient) for (let i = 0; i < this.layout.size; i++) gradient[i] += arena[at.gradient + i];
    return sum;
  }

  private gather(set: TrainingSet, order: ArrayLike<number>, first: number, count: number): void {
    const { arena } = this;
    const B = this.blockSize;
    const padded = Math.ceil(count / PIXEL_GROUP) * PIXEL_GROUP;
    for (let f = 0; f < this.shape.inputCount; f++) {
      const from = f * set.pixels;
      const to = this.at.acts[0] + f * B;
      for (let j = 0; j < count; j++) arena[to + j] = set.features[from + order[first + j]];
      arena.fill(0, to + count, to + padded);
    }
  }

  private forward(count: number): void {
    const B = this.blockSize;
    const { arena, at } = this;
    this.layout.layers.forEach((slot, l) => {
      this.ops.affine(at.pres[l], at.params + slot.weight, at.params + slot.bias, at.acts[l], slot.outputs, slot.inputs, B, count);
      const activate = this.ops.activate;
      const params = at.activationParams + l * ACTIVATION_PARAMS.length;
      for (let n = 0; n < slot.outputs; n++) {
        if (activate) activate(l, at.pres[l] + n * B, at.acts[l + 1] + n * B, count, params);
        else this.passes[l].forward(arena, at.pres[l] + n * B, at.acts[l + 1] + n * B, count);
      }
    });
  }

  /**
   * Squared error of the block; with `backward`, deltaA receives d(error)/d(output
   * before activation), zero in the padding up to a whole pixel group.
   */
  private outputError(set: TrainingSet, order: ArrayLike<number>, first: number, count: number, backward: boolean): number {
    const B = this.blockSize;
    const L = this.layout.layers.length;
    const { arena, at } = this;
    const output = at.acts[L];
    const { offset, slope } = this.unit;
    const delta = at.deltaA;
    const padded = Math.ceil(count / PIXEL_GROUP) * PIXEL_GROUP;
    let sum = 0;
    for (let c = 0; c < this.shape.outputCount; c++) {
      const row = c * B;
      const from = c * set.pixels;
      for (let j = 0; j < count; j++) {
        const error = arena[output + row + j] * slope + offset - set.targets[from + order[first + j]];
        sum += error * error;
        arena[delta + row + j] = 2 * error * slope;
      }
      if (backward) {
        this.passes[L - 1].backward(arena, delta + row, at.pres[L - 1] + row, output + row, count);
        arena.fill(0, delta + row + count, delta + row + padded);
      }
    }
    return sum;
  }

  private backward(count: number): void {
    const B = this.blockSize;
    const { arena, at } = this;
    let delta = at.deltaA;
    let below = at.deltaB;
    for (let l = this.layout.layers.length - 1; l >= 0; l--) {
      const slot = this.layout.layers[l];
      const { inputs, outputs } = slot;
      this.ops.outer(at.gradient + slot.weight, delta, at.acts[l], outputs, inputs, B, count);
      // Padding pixels have zero deltas, so summing whole groups against the ones row is exact.
      this.ops.outer(at.gradient + slot.bias, delta, at.ones, outputs, 1, B, count);
      if (l === 0) break;
      // The gradient reaching the layer below: Wᵀ·delta, then through its activation.
      this.ops.affine(below, at.transposed[l], -1, delta, inputs, outputs, B, count);
      const name = this.names[l - 1];
      for (let k = 0; k < inputs; k++) {
        if (this.ops.derivativeFromOutput?.(name, below + k * B, at.acts[l] + k * B, count)) continue;
        this.passes[l - 1].backward(arena, below + k * B, at.pres[l - 1] + k * B, at.acts[l] + k * B, count);
      }
      [delta, below] = [below, delta];
    }
  }
}
