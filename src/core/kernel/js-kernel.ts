/**
 * The portable backend: the same computation as the SIMD kernel, one value at
 * a time, with every step rounded to single precision (Math.fround) in the
 * same order, so that its pixels equal the SIMD kernel's bit for bit. Much
 * slower (one value at a time, not four); used where WebAssembly SIMD is
 * missing, and by the tests as the SIMD kernel's reference.
 */
import { ACTIVATION_PARAMS, type Activation } from '../activations.js';
import { layerSizes, type NetworkShape, type NetworkWeights } from '../network.js';
import { chooseBlockSize, type ForwardKernel } from './kernel.js';
import { ROUNDING_MAGIC_BITS, type VectorOp, type VectorProgram } from './vector-program.js';
import { activationProgram } from './activation-program.js';

type ScalarActivation = (x: number, params: Float32Array) => number;

const scratchFloat = new Float32Array(1);
const scratchBits = new Int32Array(scratchFloat.buffer);

function bitsOf(x: number): number {
  scratchFloat[0] = x;
  return scratchBits[0];
}

function floatOf(bits: number): number {
  scratchBits[0] = bits;
  return scratchFloat[0];
}

/** 2^n from n + ROUNDING_MAGIC, bit for bit as the SIMD kernel builds it. */
function pow2(magicInteger: number): number {
  return floatOf((bitsOf(magicInteger) + (127 - ROUNDING_MAGIC_BITS)) << 23);
}

function flipIfOdd(a: number, magicInteger: number): number {
  return floatOf(bitsOf(a) ^ (bitsOf(magicInteger) << 31));
}

function expression(op: VectorOp, v: (id: number) => string): string {
  switch (op.kind) {
    case 'input':
      return 'x';
    case 'const':
      return Object.is(op.value, -0) ? '(-0)' : `(${op.value})`;
    case 'param':
      return `params[${op.index}]`;
    case 'add':
      return `f(${v(op.a)} + ${v(op.b)})`;
    case 'sub':
      return `f(${v(op.a)} - ${v(op.b)})`;
    case 'mul':
      return `f(${v(op.a)} * ${v(op.b)})`;
    case 'div':
      return `f(${v(op.a)} / ${v(op.b)})`;
    case 'min':
      return `(${v(op.b)} < ${v(op.a)} ? ${v(op.b)} : ${v(op.a)})`;
    case 'max':
      return `(${v(op.a)} < ${v(op.b)} ? ${v(op.b)} : ${v(op.a)})`;
    case 'neg':
      return `(-${v(op.a)})`;
    case 'abs':
      return `Math.abs(${v(op.a)})`;
    case 'gt':
      return `${v(op.a)} > ${v(op.b)}`;
    case 'select':
      return `${v(op.mask)} ? ${v(op.ifTrue)} : ${v(op.ifFalse)}`;
    case 'pow2':
      return `pow2(${v(op.a)})`;
    case 'flipIfOdd':
      return `flipIfOdd(${v(op.a)}, ${v(op.b)})`;
  }
}

/** Turns a vector program into a scalar JavaScript function. */
export function compileScalar(program: VectorProgram): ScalarActivation {
  const name = (id: number): string => (program.ops[id].kind === 'input' ? 'x' : `v${id}`);
  const lines = program
    .liveOps()
    .filter((id) => program.ops[id].kind !== 'input')
    .map((id) => `const v${id} = ${expression(program.ops[id], name)};`);
  lines.push(`return ${name(program.result.id)};`);
  const factory = new Function('f', 'pow2', 'flipIfOdd', `return function activation(x, params) {\n${lines.join('\n')}\n};`) as (
    f: (x: number) => number,
    p2: typeof pow2,
    flip: typeof flipIfOdd,
  ) => ScalarActivation;
  return factory(Math.fround, pow2, flipIfOdd);
}

export function createJsKernel(shape: NetworkShape, blockSize = chooseBlockSize(shape)): ForwardKernel {
  const sizes = layerSizes(shape);
  const widest = Math.max(...shape.hidden, 1);
  const inputs = new Float32Array(shape.inputCount * blockSize);
  const outputs = new Float32Array(shape.outputCount * blockSize);
  const scratch = [new Float32Array(widest * blockSize), new Float32Array(widest * blockSize)];
  const activations = shape.activations.map((a) => compileScalar(activationProgram(a)));
  const params = sizes.map(() => new Float32Array(ACTIVATION_PARAMS.length));
  let weights: NetworkWeights | undefined;
  const fround = Math.fround;

  return {
    backend: 'js',
    shape,
    blockSize,
    inputs,
    outputs,
    setWeights(next: NetworkWeights): void {
      weights = next;
    },
    setActivationParams(list: readonly Activation[]): void {
      list.forEach((a, i) => ACTIVATION_PARAMS.forEach((name, j) => (params[i][j] = a[name])));
    },
    run(pixelCount: number): void {
      if (!weights) throw new Error('setWeights must be called before run');
      if (pixelCount > blockSize) throw new RangeError(`a block holds at most ${blockSize} pixels`);
      sizes.forEach(([inCount, outCount], layerIndex) => {
        const source = layerIndex === 0 ? inputs : scratch[(layerIndex - 1) % 2];
        const target = layerIndex === sizes.length - 1 ? outputs : scratch[layerIndex % 2];
        const { weight, bias } = weights!.layers[layerIndex];
        const act = activations[layerIndex];
        const layerParams = params[layerIndex];
        for (let n = 0; n < outCount; n++) {
          const row = n * inCount;
          const b = bias[n];
          for (let p = 0; p < pixelCount; p++) {
            let acc = b;
            for (let k = 0; k < inCount; k++) acc = fround(acc + fround(weight[row + k] * source[k * blockSize + p]));
            target[n * blockSize + p] = act(acc, layerParams);
          }
        }
      });
    },
  };
}
