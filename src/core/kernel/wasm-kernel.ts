/**
 * Compiles a network shape to a WebAssembly SIMD module. Layer widths and
 * activations are baked into the code; weights and activation parameters live
 * in linear memory, so a new frame only rewrites memory, never recompiles.
 *
 * The work is tiled: two output units × 16 pixels (four f32x4 vectors) give
 * eight accumulators that start at the bias; for each input k the tile loads
 * the four input vectors once and adds splat(W[n][k]) · in[k] to all eight;
 * then the activation runs on the accumulators while they are still in
 * registers, and the results are stored. That keeps the multiply-adds near
 * the ceiling of 128-bit SIMD without fused multiply-add; what a frame costs
 * beyond them is mostly the activations (vector-math.ts).
 *
 * Two shapes that looked faster on paper were slower under V8: fully unrolling
 * the loop over inputs (its scheduler hoists every load to the top and spills
 * them), and a separate activation pass after the multiply-adds.
 */
import { ACTIVATION_PARAMS, type Activation } from '../activations.js';
import { activationProgram } from './activation-program.js';
import { layerSizes, type NetworkShape, type NetworkWeights } from '../network.js';
import { chooseBlockSize, PIXEL_GROUP, type ForwardKernel } from './kernel.js';
import { ROUNDING_MAGIC_BITS, type VectorOp, type VectorProgram } from './vector-program.js';
import { assembleModule, FunctionWriter, Op, SimdOp, ValType } from './wasm-writer.js';

const VECTORS_PER_GROUP = PIXEL_GROUP / 4;
/** Output units per tile: each loaded input vector serves this many units. */
const UNIT_TILE = 2;
const BYTES = 4;

interface LayerPlan {
  inputs: number;
  outputs: number;
  inputOffset: number;
  outputOffset: number;
  weightOffset: number;
  biasOffset: number;
  paramOffset: number;
  program: VectorProgram;
}

interface KernelLayout {
  blockSize: number;
  inputOffset: number;
  outputOffset: number;
  layers: LayerPlan[];
  bytes: number;
}

function planLayout(shape: NetworkShape, blockSize: number): KernelLayout {
  const widest = Math.max(...shape.hidden, 1);
  const blockBytes = (width: number): number => width * blockSize * BYTES;
  let cursor = 0;
  const take = (bytes: number): number => {
    const at = cursor;
    cursor += Math.ceil(bytes / 16) * 16;
    return at;
  };
  const inputOffset = take(blockBytes(shape.inputCount));
  const scratch = [take(blockBytes(widest)), take(blockBytes(widest))];
  const outputOffset = take(blockBytes(shape.outputCount));
  const sizes = layerSizes(shape);
  const layers = sizes.map(([inputs, outputs], i): LayerPlan => ({
    inputs,
    outputs,
    inputOffset: i === 0 ? inputOffset : scratch[(i - 1) % 2],
    outputOffset: i === sizes.length - 1 ? outputOffset : scratch[i % 2],
    weightOffset: take(inputs * outputs * BYTES),
    biasOffset: take(outputs * BYTES),
    paramOffset: take(ACTIVATION_PARAMS.length * BYTES),
    program: activationProgram(shape.activations[i]),
  }));
  return { blockSize, inputOffset, outputOffset, layers, bytes: cursor };
}

/** Emits one vector-program op; its operands are already in locals. */
function emitOp(f: FunctionWriter, op: VectorOp, local: (id: number) => number, input: number, params: number[]): void {
  switch (op.kind) {
    case 'input':
      f.get(input);
      return;
    case 'const':
      f.f32x4Const(op.value);
      return;
    case 'param':
      f.get(params[op.index]);
      return;
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
    case 'min':
    case 'max':
    case 'gt': {
      const code = {
        add: SimdOp.f32x4Add,
        sub: SimdOp.f32x4Sub,
        mul: SimdOp.f32x4Mul,
        div: SimdOp.f32x4Div,
        min: SimdOp.f32x4PMin,
        max: SimdOp.f32x4PMax,
        gt: SimdOp.f32x4Gt,
      }[op.kind];
      f.get(local(op.a)).get(local(op.b)).simd(code);
      return;
    }
    case 'neg':
    case 'abs': {
      const code = { neg: SimdOp.f32x4Neg, abs: SimdOp.f32x4Abs }[op.kind];
      f.get(local(op.a)).simd(code);
      return;
    }
    case 'select':
      // bitselect(a, b, mask) takes a's bits where mask is set, b's elsewhere.
      f.get(local(op.ifTrue)).get(local(op.ifFalse)).get(local(op.mask)).simd(SimdOp.v128Bitselect);
      return;
    case 'pow2':
      // (n + MAGIC)'s bits are MAGIC_BITS + n; shift n + 127 into the exponent field.
      f.get(local(op.a)).i32x4Const(127 - ROUNDING_MAGIC_BITS).simd(SimdOp.i32x4Add).i32(23).simd(SimdOp.i32x4Shl);
      return;
    case 'flipIfOdd':
      // n's lowest bit, moved to the sign bit, flips the sign.
      f.get(local(op.a)).get(local(op.b)).i32(31).simd(SimdOp.i32x4Shl).simd(SimdOp.v128Xor);
      return;
  }
}

/**
 * Emits `program` applied to the vector in local `input`, leaving the result
 * on the stack. `scratch` maps op ids to v128 locals, reused across calls.
 */
export function emitProgram(f: FunctionWriter, program: VectorProgram, input: number, params: number[], scratch: Map<number, number>): void {
  const live = program.liveOps();
  const local = (id: number): number => {
    if (program.ops[id].kind === 'input') return input;
    let slot = scratch.get(id);
    if (slot === undefined) {
      slot = f.local(ValType.v128);
      scratch.set(id, slot);
    }
    return slot;
  };
  const resultId = program.result.id;
  for (const id of live) {
    const op = program.ops[id];
    if (op.kind === 'input') continue;
    emitOp(f, op, local, input, params);
    if (id !== resultId) f.set(local(id));
  }
  if (program.ops[resultId].kind === 'input') f.get(input);
}

interface KernelLocals {
  end: number;
  n: number;
  p: number;
  wRow: number;
  oRow: number;
  wPtr: number;
  inPtr: number;
  wEnd: number;
  /** acc[u * VECTORS_PER_GROUP + j]: unit u, pixel vector j. */
  acc: number[];
  weight: number[];
  input: number;
  bias: number[];
}

interface ActivationLocals {
  params: number[];
  scratch: Map<number, number>;
}

/** Emits the loop over output units nStart..nStop in tiles of `units` units. */
function emitUnitTiles(f: FunctionWriter, layer: LayerPlan, blockSize: number, L: KernelLocals, A: ActivationLocals, units: number, nStart: number, nStop: number): void {
  if (nStop <= nStart) return;
  const rowBytes = blockSize * BYTES;
  const K = layer.inputs;
  const accOf = (u: number, j: number): number => L.acc[u * VECTORS_PER_GROUP + j];
  f.i32(nStart).set(L.n).i32(nStart * K * BYTES).set(L.wRow).i32(nStart * rowBytes).set(L.oRow);
  f.open(Op.loop);
  for (let u = 0; u < units; u++) {
    f.get(L.n).i32(BYTES).op(Op.i32Mul).memory(SimdOp.load32Splat, layer.biasOffset + u * BYTES).set(L.bias[u]);
  }
  f.i32(0).set(L.p);
  f.open(Op.loop);
  for (let u = 0; u < units; u++) for (let j = 0; j < VECTORS_PER_GROUP; j++) f.get(L.bias[u]).set(accOf(u, j));
  // The loop over inputs: acc[u][j] += splat(W[n + u][k]) * in[k][p + 4j], k ascending.
  f.get(L.wRow).set(L.wPtr);
  f.get(L.p).set(L.inPtr);
  f.get(L.wRow).i32(K * BYTES).op(Op.i32Add).set(L.wEnd);
  f.open(Op.loop);
  for (let u = 0; u < units; u++) {
    f.get(L.wPtr).memory(SimdOp.load32Splat, layer.weightOffset + u * K * BYTES).set(L.weight[u]);
  }
  for (let j = 0; j < VECTORS_PER_GROUP; j++) {
    f.get(L.inPtr).memory(SimdOp.load, layer.inputOffset + j * 16).set(L.input);
    for (let u = 0; u < units; u++) {
      f.get(accOf(u, j)).get(L.weight[u]).get(L.input).simd(SimdOp.f32x4Mul).simd(SimdOp.f32x4Add).set(accOf(u, j));
    }
  }
  f.get(L.inPtr).i32(rowBytes).op(Op.i32Add).set(L.inPtr);
  f.get(L.wPtr).i32(BYTES).op(Op.i32Add).tee(L.wPtr).get(L.wEnd).op(Op.i32LtU).brIf(0);
  f.op(Op.end);
  for (let u = 0; u < units; u++) {
    for (let j = 0; j < VECTORS_PER_GROUP; j++) {
      f.get(L.oRow).get(L.p).op(Op.i32Add);
      emitProgram(f, layer.program, accOf(u, j), A.params, A.scratch);
      f.memory(SimdOp.store, layer.outputOffset + u * rowBytes + j * 16);
    }
  }
  f.get(L.p).i32(PIXEL_GROUP * BYTES).op(Op.i32Add).tee(L.p).get(L.end).op(Op.i32LtU).brIf(0);
  f.op(Op.end);
  f.get(L.wRow).i32(units * K * BYTES).op(Op.i32Add).set(L.wRow);
  f.get(L.oRow).i32(units * rowBytes).op(Op.i32Add).set(L.oRow);
  f.get(L.n).i32(units).op(Op.i32Add).tee(L.n).i32(nStop).op(Op.i32LtU).brIf(0);
  f.op(Op.end);
}

function emitLayer(f: FunctionWriter, layer: LayerPlan, blockSize: number, L: KernelLocals): void {
  const params = ACTIVATION_PARAMS.map((_, i) => {
    const slot = f.local(ValType.v128);
    f.i32(0).memory(SimdOp.load32Splat, layer.paramOffset + i * BYTES).set(slot);
    return slot;
  });
  const A = { params, scratch: new Map<number, number>() };
  const tiled = Math.floor(layer.outputs / UNIT_TILE) * UNIT_TILE;
  emitUnitTiles(f, layer, blockSize, L, A, UNIT_TILE, 0, tiled);
  emitUnitTiles(f, layer, blockSize, L, A, 1, tiled, layer.outputs);
}

function buildModule(layout: KernelLayout): Uint8Array<ArrayBuffer> {
  const f = new FunctionWriter([ValType.i32]);
  /** Local 0: run's parameter, the number of pixels. */
  const PIXEL_COUNT = 0;
  const locals = {
    end: f.local(ValType.i32),
    n: f.local(ValType.i32),
    p: f.local(ValType.i32),
    wRow: f.local(ValType.i32),
    oRow: f.local(ValType.i32),
    wPtr: f.local(ValType.i32),
    inPtr: f.local(ValType.i32),
    wEnd: f.local(ValType.i32),
    acc: Array.from({ length: VECTORS_PER_GROUP * UNIT_TILE }, () => f.local(ValType.v128)),
    weight: Array.from({ length: UNIT_TILE }, () => f.local(ValType.v128)),
    input: f.local(ValType.v128),
    bias: Array.from({ length: UNIT_TILE }, () => f.local(ValType.v128)),
  };
  // end = bytes covered by the pixels, rounded up to whole groups.
  f.get(PIXEL_COUNT).i32(PIXEL_GROUP - 1).op(Op.i32Add).i32(-PIXEL_GROUP).op(Op.i32And);
  f.i32(BYTES).op(Op.i32Mul).set(locals.end);
  for (const layer of layout.layers) emitLayer(f, layer, layout.blockSize, locals);
  const pages = Math.ceil(layout.bytes / 65536) + 1;
  return assembleModule([{ name: 'run', writer: f }], pages);
}

const moduleCache = new Map<string, WebAssembly.Module>();

function shapeKey(shape: NetworkShape, blockSize: number): string {
  return JSON.stringify([shape.inputCount, shape.hidden, shape.outputCount, shape.activations.map((a) => [a.name, a.squash, a.iterations]), blockSize]);
}

/** True where WebAssembly with 128-bit SIMD is available (Node 16.4+, all current browsers). */
export function wasmSimdSupported(): boolean {
  if (typeof WebAssembly === 'undefined') return false;
  const f = new FunctionWriter([]);
  f.f32x4Const(1).f32x4Const(2).simd(SimdOp.f32x4Add).op(Op.drop);
  try {
    return WebAssembly.validate(assembleModule([{ name: 'probe', writer: f }], 1));
  } catch {
    return false;
  }
}

export function createWasmKernel(shape: NetworkShape, blockSize = chooseBlockSize(shape)): ForwardKernel {
  const layout = planLayout(shape, blockSize);
  const key = shapeKey(shape, blockSize);
  let module = moduleCache.get(key);
  if (!module) {
    module = new WebAssembly.Module(buildModule(layout));
    moduleCache.set(key, module);
  }
  const instance = new WebAssembly.Instance(module, {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  const run = instance.exports.run as (count: number) => void;
  const floats = new Float32Array(memory.buffer);
  const view = (offset: number, length: number): Float32Array => floats.subarray(offset / BYTES, offset / BYTES + length);

  return {
    backend: 'wasm-simd',
    shape,
    blockSize,
    inputs: view(layout.inputOffset, shape.inputCount * blockSize),
    outputs: view(layout.outputOffset, shape.outputCount * blockSize),
    setWeights(weights: NetworkWeights): void {
      weights.layers.forEach((layer, i) => {
        const plan = layout.layers[i];
        floats.set(layer.weight, plan.weightOffset / BYTES);
        floats.set(layer.bias, plan.biasOffset / BYTES);
      });
    },
    setActivationParams(activations: readonly Activation[]): void {
      layout.layers.forEach((plan, i) => {
        ACTIVATION_PARAMS.forEach((name, j) => {
          floats[plan.paramOffset / BYTES + j] = activations[i][name];
        });
      });
    },
    run(pixelCount: number): void {
      if (pixelCount > blockSize) throw new RangeError(`a block holds at most ${blockSize} pixels`);
      run(pixelCount);
    },
  };
}
