/**
 * A tiny straight-line program over 32-bit floats, used to describe element-wise
 * activations once and run them two ways: as WebAssembly SIMD (four lanes at a
 * time) and as plain JavaScript (one value at a time, every step rounded with
 * Math.fround). Every operation here is exactly rounded IEEE single precision in
 * both backends, so the two give identical bits: the JavaScript backend is both
 * the fallback and the reference that keeps the SIMD code honest.
 */

export type VectorOp =
  | { kind: 'input' }
  | { kind: 'const'; value: number }
  | { kind: 'param'; index: number }
  | { kind: 'add' | 'sub' | 'mul' | 'div'; a: number; b: number }
  /**
   * min and max in WebAssembly's "pseudo" form: min(a, b) = b < a ? b : a,
   * max(a, b) = a < b ? b : a. One instruction each on x86 (the strict IEEE
   * forms take seven), and just as exact for the clamps they serve.
   */
  | { kind: 'min' | 'max'; a: number; b: number }
  | { kind: 'neg' | 'abs'; a: number }
  /** Comparisons give a lane mask, used only by `select`. */
  | { kind: 'gt'; a: number; b: number }
  | { kind: 'select'; mask: number; ifTrue: number; ifFalse: number }
  /**
   * For a = n + ROUNDING_MAGIC (n integral, so n sits in a's low mantissa bits):
   * 2^n for n in [-126, 127], built by moving n into the exponent field.
   */
  | { kind: 'pow2'; a: number }
  /** a with its sign flipped where the integer held by b = n + ROUNDING_MAGIC is odd. */
  | { kind: 'flipIfOdd'; a: number; b: number };

/**
 * 1.5 · 2^23: adding it to |x| < 2^22 rounds x to the nearest integer (ties to
 * even) and leaves that integer in the low bits of the sum's representation.
 */
export const ROUNDING_MAGIC = 12582912;
/** The bit pattern of ROUNDING_MAGIC as a float. */
export const ROUNDING_MAGIC_BITS = 0x4b400000;

/** A handle to a value computed by a program. */
export interface Value {
  readonly id: number;
}

export class VectorProgram {
  readonly ops: VectorOp[] = [{ kind: 'input' }];
  readonly input: Value = { id: 0 };
  private readonly constants = new Map<number, Value>();
  private readonly params = new Map<number, Value>();
  private resultValue: Value = this.input;

  get result(): Value {
    return this.resultValue;
  }

  set result(value: Value) {
    this.resultValue = value;
  }

  private push(op: VectorOp): Value {
    this.ops.push(op);
    return { id: this.ops.length - 1 };
  }

  /** A constant, rounded to single precision so both backends see the same number. */
  constant(value: number): Value {
    const rounded = Math.fround(value);
    let existing = this.constants.get(rounded);
    if (!existing) {
      existing = this.push({ kind: 'const', value: rounded });
      this.constants.set(rounded, existing);
    }
    return existing;
  }

  /** A parameter of the activation (frequency, slope, R, …) that may change every frame. */
  param(index: number): Value {
    let existing = this.params.get(index);
    if (!existing) {
      existing = this.push({ kind: 'param', index });
      this.params.set(index, existing);
    }
    return existing;
  }

  add(a: Value, b: Value): Value {
    return this.push({ kind: 'add', a: a.id, b: b.id });
  }
  sub(a: Value, b: Value): Value {
    return this.push({ kind: 'sub', a: a.id, b: b.id });
  }
  mul(a: Value, b: Value): Value {
    return this.push({ kind: 'mul', a: a.id, b: b.id });
  }
  div(a: Value, b: Value): Value {
    return this.push({ kind: 'div', a: a.id, b: b.id });
  }
  min(a: Value, b: Value): Value {
    return this.push({ kind: 'min', a: a.id, b: b.id });
  }
  max(a: Value, b: Value): Value {
    return this.push({ kind: 'max', a: a.id, b: b.id });
  }
  neg(a: Value): Value {
    return this.push({ kind: 'neg', a: a.id });
  }
  abs(a: Value): Value {
    return this.push({ kind: 'abs', a: a.id });
  }
  gt(a: Value, b: Value): Value {
    return this.push({ kind: 'gt', a: a.id, b: b.id });
  }
  select(mask: Value, ifTrue: Value, ifFalse: Value): Value {
    return this.push({ kind: 'select', mask: mask.id, ifTrue: ifTrue.id, ifFalse: ifFalse.id });
  }
  /** 2^n, given n + ROUNDING_MAGIC (see roundToIntegerMagic). */
  pow2(magicInteger: Value): Value {
    return this.push({ kind: 'pow2', a: magicInteger.id });
  }
  /** -a where the integer n in `magicInteger` = n + ROUNDING_MAGIC is odd, a where it is even. */
  flipIfOdd(a: Value, magicInteger: Value): Value {
    return this.push({ kind: 'flipIfOdd', a: a.id, b: magicInteger.id });
  }
  /** x rounded to the nearest integer n (|x| < 2^22), as n + ROUNDING_MAGIC. */
  roundToIntegerMagic(x: Value): Value {
    return this.add(x, this.constant(ROUNDING_MAGIC));
  }
  /** Recovers n from n + ROUNDING_MAGIC. */
  integerFromMagic(magicInteger: Value): Value {
    return this.sub(magicInteger, this.constant(ROUNDING_MAGIC));
  }

  /** a * b + c, as two rounded steps (no fused multiply-add: both backends must agree). */
  mulAdd(a: Value, b: Value, c: Value): Value {
    return this.add(this.mul(a, b), c);
  }

  /** Horner evaluation of c[0] + c[1] x + c[2] x^2 + … */
  polynomial(x: Value, coefficients: readonly number[]): Value {
    let last = coefficients.length - 1;
    let acc = this.constant(coefficients[last]);
    // A leading 1 needs no multiplication: 1 · x is exactly x, so the bits are the same.
    if (last > 0 && coefficients[last] === 1) acc = this.add(x, this.constant(coefficients[--last]));
    for (let i = last - 1; i >= 0; i--) {
      acc = this.mulAdd(acc, x, this.constant(coefficients[i]));
    }
    return acc;
  }

  clamp(x: Value, lo: number, hi: number): Value {
    return this.min(this.max(x, this.constant(lo)), this.constant(hi));
  }

  /** How many distinct parameters the program reads. */
  get paramCount(): number {
    let count = 0;
    for (const index of this.params.keys()) count = Math.max(count, index + 1);
    return count;
  }

  /** Indices of the ops that the result depends on, in evaluation order. */
  liveOps(): number[] {
    const live = new Set<number>();
    const visit = (id: number): void => {
      if (live.has(id)) return;
      live.add(id);
      const op = this.ops[id];
      for (const dep of dependencies(op)) visit(dep);
    };
    visit(this.resultValue.id);
    return [...live].sort((x, y) => x - y);
  }
}

export function dependencies(op: VectorOp): number[] {
  switch (op.kind) {
    case 'input':
    case 'const':
    case 'param':
      return [];
    case 'neg':
    case 'abs':
    case 'pow2':
      return [op.a];
    case 'select':
      return [op.mask, op.ifTrue, op.ifFalse];
    case 'flipIfOdd':
      return [op.a, op.b];
    default:
      return [op.a, op.b];
  }
}
