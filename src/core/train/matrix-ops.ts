/**
 * The two products a training step spends its time in, over one block of
 * pixels laid out unit-major with a stride of `stride` floats:
 *   affine:  out[n][j] = bias[n] + Σₖ W[n][k] · in[k][j]   (forward, and Wᵀ·delta backward)
 *   outer:   G[n][k] += Σⱼ delta[n][j] · in[k][j]          (weight gradients)
 * All operands live in one Float32Array (an "arena"), addressed by float
 * index. Two implementations: WebAssembly SIMD (four pixels per instruction,
 * sixteen per loop turn) where available, plain JavaScript otherwise (and for
 * the float64 checks). Pixel counts are rounded up to whole groups of 16;
 * callers keep the padding at zero where it would count.
 */
import { ACTIVATION_PARAMS, activationCodeKey, type Activation } from '../activations.js';
import { activationProgram } from '../kernel/activation-program.js';
import { emitProgram } from '../kernel/wasm-kernel.js';
import { assembleModule, FunctionWriter, Op, SimdOp, ValType } from '../kernel/wasm-writer.js';
import type { FloatArray } from './parameters.js';

export const PIXEL_GROUP = 16;

export interface MatrixOps {
  /** The arena every offset points into. */
  readonly arena: FloatArray;
  /** `bias` < 0: no bias (zero). */
  affine(out: number, weights: number, bias: number, input: number, rows: number, inputs: number, stride: number, pixels: number): void;
  outer(gradient: number, delta: number, input: number, rows: number, inputs: number, stride: number, pixels: number): void;
  /**
   * Layer `layer`'s activation over `pixels` values at `pre`, written at `post`,
   * compiled from the same vector program the forward kernels run (so a fit
   * learns exactly the function the renderer draws); its numeric parameters
   * (frequency, slope, alpha, r) are read at `params`. Absent in the JavaScript ops.
   */
  activate?(layer: number, pre: number, post: number, pixels: number, params: number): void;
  /**
   * grad *= f′ for tanh (1 − y²) and sigmoid (y·(1 − y)), read off the outputs
   * at `post`; false when this activation's derivative is left to JavaScript.
   */
  derivativeFromOutput?(name: string, grad: number, post: number, pixels: number): boolean;
}

const roundUp = (pixels: number): number => Math.ceil(pixels / PIXEL_GROUP) * PIXEL_GROUP;

export function jsMatrixOps(arena: FloatArray): MatrixOps {
  return {
    arena,
    affine(out, weights, bias, input, rows, inputs, stride, pixels) {
      const count = roundUp(pixels);
      for (let n = 0; n < rows; n++) {
        const row = out + n * stride;
        const b = bias < 0 ? 0 : arena[bias + n];
        for (let j = 0; j < count; j++) arena[row + j] = b;
        for (let k = 0; k < inputs; k++) {
          const w = arena[weights + n * inputs + k];
          const from = input + k * stride;
          for (let j = 0; j < count; j++) arena[row + j] += w * arena[from + j];
        }
      }
    },
    outer(gradient, delta, input, rows, inputs, stride, pixels) {
      const count = roundUp(pixels);
      for (let n = 0; n < rows; n++) {
        const d = delta + n * stride;
        for (let k = 0; k < inputs; k++) {
          const from = input + k * stride;
          let dot = 0;
          for (let j = 0; j < count; j++) dot += arena[d + j] * arena[from + j];
          arena[gradient + n * inputs + k] += dot;
        }
      }
    },
  };
}

// Scalar opcodes beyond those the forward compiler uses.
const BLOCK = 0x02;
const I32_NE = 0x47;
const I32_SHL = 0x74;
const F32_LOAD = 0x2a;
const F32_STORE = 0x38;
const F32_ADD = 0x92;
const F32X4_EXTRACT_LANE = 0x1f;

/** Emits `do { body } while (counter += step, counter != end)` with counter starting at its current value. */
function doWhile(f: FunctionWriter, counter: number, step: number, end: number, body: () => void): void {
  f.open(Op.loop);
  body();
  f.get(counter).i32(step).op(Op.i32Add).tee(counter).get(end).op(I32_NE).brIf(0);
  f.op(Op.end);
}


/** affine(out, weights, bias, input, rows, inputs, strideBytes, count): all addresses in bytes; bias < 0: none. */
function affineFunction(): FunctionWriter {
  const f = new FunctionWriter([ValType.i32, ValType.i32, ValType.i32, ValType.i32, ValType.i32, ValType.i32, ValType.i32, ValType.i32]);
  const [out, weights, bias, input, rows, inputs, stride, count] = [0, 1, 2, 3, 4, 5, 6, 7];
  const n = f.local(ValType.i32);
  const j = f.local(ValType.i32);
  const k = f.local(ValType.i32);
  const wp = f.local(ValType.i32);
  const ip = f.local(ValType.i32);
  const op = f.local(ValType.i32);
  const countBytes = f.local(ValType.i32);
  const b = f.local(ValType.v128);
  const w = f.local(ValType.v128);
  const acc = [f.local(ValType.v128), f.local(ValType.v128), f.local(ValType.v128), f.local(ValType.v128)];
  f.get(count).i32(2).op(I32_SHL).set(countBytes);
  f.i32(0).set(n);
  doWhile(f, n, 1, rows, () => {
    // b = bias < 0 ? 0 : splat(bias[n])
    f.f32x4Const(0).set(b);
    f.op(BLOCK).code.push(0x40);
    f.get(bias).i32(0).op(0x48 /* i32.lt_s */).brIf(0);
    f.get(bias).get(n).i32(2).op(I32_SHL).op(Op.i32Add).memory(SimdOp.load32Splat, 0).set(b);
    f.op(Op.end);
    f.i32(0).set(j);
    doWhile(f, j, 64, countBytes, () => {
      for (const a of acc) f.get(b).set(a);
      // wp = weights + n·inputs·4; ip = input + j
      f.get(weights).get(n).get(inputs).op(Op.i32Mul).i32(2).op(I32_SHL).op(Op.i32Add).set(wp);
      f.get(input).get(j).op(Op.i32Add).set(ip);
      f.i32(0).set(k);
      doWhile(f, k, 1, inputs, () => {
        f.get(wp).memory(SimdOp.load32Splat, 0).set(w);
        acc.forEach((a, lane) => {
          f.get(a).get(w).get(ip).memory(SimdOp.load, lane * 16).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add).set(a);
        });
        f.get(wp).i32(4).op(Op.i32Add).set(wp);
        f.get(ip).get(stride).op(Op.i32Add).set(ip);
      });
      // out + n·stride + j
      f.get(out).get(n).get(stride).op(Op.i32Mul).op(Op.i32Add).get(j).op(Op.i32Add).set(op);
      acc.forEach((a, lane) => f.get(op).get(a).memory(SimdOp.store, lane * 16));
    });
  });
  return f;
}

/** Input rows per pass of the weight-gradient loop: each loaded delta vector serves this many. */
const K_TILE = 4;

/**
 * outer(gradient, delta, input, rows, inputs, strideBytes, count): all
 * addresses in bytes. Four input rows at a time share each loaded delta
 * vector (1.25 loads per multiply-add instead of 2); leftover rows go one by one.
 */
function outerFunction(): FunctionWriter {
  const f = new FunctionWriter([ValType.i32, ValType.i32, ValType.i32, ValType.i32, ValType.i32, ValType.i32, ValType.i32]);
  const [gradient, delta, input, rows, inputs, stride, count] = [0, 1, 2, 3, 4, 5, 6];
  const n = f.local(ValType.i32);
  const k = f.local(ValType.i32);
  const j = f.local(ValType.i32);
  const dp = f.local(ValType.i32);
  const ip = f.local(ValType.i32);
  const gp = f.local(ValType.i32);
  const countBytes = f.local(ValType.i32);
  const tiled = f.local(ValType.i32);
  const d = f.local(ValType.v128);
  const acc = Array.from({ length: K_TILE }, () => f.local(ValType.v128));
  const rowsAt = Array.from({ length: K_TILE }, () => f.local(ValType.i32));
  /** gradient[gp + 4·lane] += horizontal sum of acc[lane]. */
  const addSums = (lanes: number): void => {
    for (let r = 0; r < lanes; r++) {
      f.get(gp).get(gp);
      f.op(F32_LOAD);
      f.code.push(2, r * 4);
      for (let lane = 0; lane < 4; lane++) {
        f.get(acc[r]).simd(F32X4_EXTRACT_LANE).code.push(lane);
        f.op(F32_ADD);
      }
      f.op(F32_STORE);
      f.code.push(2, r * 4);
    }
  };
  f.get(count).i32(2).op(I32_SHL).set(countBytes);
  // tiled = inputs rounded down to a multiple of K_TILE
  f.get(inputs).i32(-K_TILE).op(Op.i32And).set(tiled);
  f.get(gradient).set(gp);
  f.i32(0).set(n);
  doWhile(f, n, 1, rows, () => {
    f.i32(0).set(k);
    // Tiles of K_TILE input rows (skipped when there are fewer).
    f.op(BLOCK).code.push(0x40);
    f.get(tiled).op(0x45 /* i32.eqz */).brIf(0);
    doWhile(f, k, K_TILE, tiled, () => {
      for (const a of acc) f.f32x4Const(0).set(a);
      f.get(delta).get(n).get(stride).op(Op.i32Mul).op(Op.i32Add).set(dp);
      f.get(input).get(k).get(stride).op(Op.i32Mul).op(Op.i32Add).set(ip);
      rowsAt.forEach((at, r) => f.get(ip).get(stride).i32(r).op(Op.i32Mul).op(Op.i32Add).set(at));
      f.i32(0).set(j);
      doWhile(f, j, 16, countBytes, () => {
        f.get(dp).get(j).op(Op.i32Add).memory(SimdOp.load, 0).set(d);
        acc.forEach((a, r) => {
          f.get(a).get(d).get(rowsAt[r]).get(j).op(Op.i32Add).memory(SimdOp.load, 0).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add).set(a);
        });
      });
      addSums(K_TILE);
      f.get(gp).i32(4 * K_TILE).op(Op.i32Add).set(gp);
    });
    f.op(Op.end);
    // The rows left over, one at a time.
    f.op(BLOCK).code.push(0x40);
    f.get(k).get(inputs).op(0x46 /* i32.eq */).brIf(0);
    doWhile(f, k, 1, inputs, () => {
      f.f32x4Const(0).set(acc[0]);
      f.get(delta).get(n).get(stride).op(Op.i32Mul).op(Op.i32Add).set(dp);
      f.get(input).get(k).get(stride).op(Op.i32Mul).op(Op.i32Add).set(ip);
      f.i32(0).set(j);
      doWhile(f, j, 16, countBytes, () => {
        f.get(acc[0]).get(dp).get(j).op(Op.i32Add).memory(SimdOp.load, 0).get(ip).get(j).op(Op.i32Add).memory(SimdOp.load, 0).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add).set(acc[0]);
      });
      addSums(1);
      f.get(gp).i32(4).op(Op.i32Add).set(gp);
    });
    f.op(Op.end);
  });
  return f;
}

/** grad(grad, post, countBytes): grad *= 1 − y² (tanh) or y·(1 − y) (sigmoid), y read at post. */
function derivativeFunction(kind: 'tanh' | 'sigmoid'): FunctionWriter {
  const f = new FunctionWriter([ValType.i32, ValType.i32, ValType.i32]);
  const [grad, post, countBytes] = [0, 1, 2];
  const i = f.local(ValType.i32);
  const y = f.local(ValType.v128);
  f.i32(0).set(i);
  doWhile(f, i, 16, countBytes, () => {
    f.get(grad).get(i).op(Op.i32Add);
    f.get(grad).get(i).op(Op.i32Add).memory(SimdOp.load, 0);
    f.get(post).get(i).op(Op.i32Add).memory(SimdOp.load, 0).set(y);
    if (kind === 'tanh') f.f32x4Const(1).get(y).get(y).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Sub);
    else f.get(y).f32x4Const(1).get(y).simd(SimdOp.f32x4Sub).simd(SimdOp.f32x4Mul);
    f.simd(SimdOp.f32x4Mul);
    f.memory(SimdOp.store, 0);
  });
  return f;
}

/** activate(pre, post, countBytes, params): one activation's vector program over a row of values. */
function activationFunction(a: Activation): FunctionWriter {
  const f = new FunctionWriter([ValType.i32, ValType.i32, ValType.i32, ValType.i32]);
  const [pre, post, countBytes, paramsPtr] = [0, 1, 2, 3];
  const i = f.local(ValType.i32);
  const v = f.local(ValType.v128);
  const params = ACTIVATION_PARAMS.map((_, p) => {
    const slot = f.local(ValType.v128);
    f.get(paramsPtr).memory(SimdOp.load32Splat, p * 4).set(slot);
    return slot;
  });
  const scratch = new Map<number, number>();
  const program = activationProgram(a);
  f.i32(0).set(i);
  doWhile(f, i, 16, countBytes, () => {
    f.get(pre).get(i).op(Op.i32Add).memory(SimdOp.load, 0).set(v);
    f.get(post).get(i).op(Op.i32Add);
    emitProgram(f, program, v, params, scratch);
    f.memory(SimdOp.store, 0);
  });
  return f;
}

const modules = new Map<string, WebAssembly.Module>();

/** WebAssembly SIMD ops over a fresh memory of at least `floats` floats, with one activation function per layer. */
export function wasmMatrixOps(floats: number, activations: readonly Activation[] = []): MatrixOps {
  const pages = Math.ceil((floats * 4) / 65536) + 1;
  const kinds = [...new Set(activations.map(activationCodeKey))];
  const key = JSON.stringify([pages, kinds]);
  let module = modules.get(key);
  if (!module) {
    const functions = [
      { name: 'affine', writer: affineFunction() },
      { name: 'outer', writer: outerFunction() },
      { name: 'tanhDerivative', writer: derivativeFunction('tanh') },
      { name: 'sigmoidDerivative', writer: derivativeFunction('sigmoid') },
      ...kinds.map((kind, i) => ({ name: `activate${i}`, writer: activationFunction(activations.find((a) => activationCodeKey(a) === kind)!) })),
    ];
    module = new WebAssembly.Module(assembleModule(functions, pages));
    modules.set(key, module);
  }
  const instance = new WebAssembly.Instance(module, {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  const affine = instance.exports.affine as (...args: number[]) => void;
  const outer = instance.exports.outer as (...args: number[]) => void;
  const derivatives: Record<string, (...args: number[]) => void> = {
    tanh: instance.exports.tanhDerivative as (...args: number[]) => void,
    sigmoid: instance.exports.sigmoidDerivative as (...args: number[]) => void,
  };
  const perLayer = activations.map((a) => instance.exports[`activate${kinds.indexOf(activationCodeKey(a))}`] as (...args: number[]) => void);
  return {
    arena: new Float32Array(memory.buffer),
    affine: (out, weights, bias, input, rows, inputs, stride, pixels) => affine(out * 4, weights * 4, bias < 0 ? -1 : bias * 4, input * 4, rows, inputs, stride * 4, roundUp(pixels)),
    outer: (gradient, delta, input, rows, inputs, stride, pixels) => outer(gradient * 4, delta * 4, input * 4, rows, inputs, stride * 4, roundUp(pixels)),
    activate: (layer, pre, post, pixels, params) => perLayer[layer](pre * 4, post * 4, roundUp(pixels) * 4, params * 4),
    derivativeFromOutput: (name, grad, post, pixels) => {
      const run = derivatives[name];
      if (run) run(grad * 4, post * 4, roundUp(pixels) * 4);
      return run !== undefined;
    },
  };
}
