/**
 * Approximations of transcendental functions built from exactly rounded
 * single-precision steps (see vector-program.ts), so that the SIMD and the
 * scalar backends agree bit for bit. Error bounds are measured against float64
 * Math functions by test/core/vector-math.test.ts over the stated ranges.
 */
import type { Value, VectorProgram } from './vector-program.js';

const LOG2E = 1.4426950408889634;
// ln 2 split so that n * LN2_HI is exact for |n| <= 127 (Cody–Waite reduction).
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
// Minimax coefficients for e^r on |r| <= ln2/2 (Cephes expf).
const EXP_POLY = [5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3, 1.9875691500e-4];

/**
 * e^x. Inputs are clamped to [-87, 88] so that 2^n stays a normal float.
 * Relative error below 1.5e-7 (about 1.3 ulp) for x in [-87, 88].
 */
export function exp(p: VectorProgram, x: Value): Value {
  const clamped = p.clamp(x, -87, 88);
  const magicN = p.roundToIntegerMagic(p.mul(clamped, p.constant(LOG2E)));
  const n = p.integerFromMagic(magicN);
  const r = p.sub(p.sub(clamped, p.mul(n, p.constant(LN2_HI))), p.mul(n, p.constant(LN2_LO)));
  const poly = p.polynomial(r, EXP_POLY);
  // e^r = 1 + r + r^2 * poly(r)
  const er = p.add(p.mulAdd(p.mul(poly, r), r, r), p.constant(1));
  return p.mul(er, p.pow2(magicN));
}

/** 1 / (1 + e^-x). Absolute error below 1e-7 everywhere. */
export function sigmoid(p: VectorProgram, x: Value): Value {
  const one = p.constant(1);
  return p.div(one, p.add(one, exp(p, p.neg(x))));
}

/**
 * tanh as an odd rational minimax approximation on a clamped input:
 *   tanh(x) ≈ c·(a0 + a1·c² + a2·c⁴) / (b0 + b1·c² + b2·c⁴ + c⁶),  c = clamp(x, ±6).
 * The coefficients were fitted by linear programming (bisection on the error)
 * with a0 = b0, so the slope at 0 is exact, and with the allowed error growing
 * from 0 to its full size over |x| < 3, where most of a network's values lie:
 * there an error is carried on through the next layers, while a saturated
 * unit's is not. The fit also keeps the value at or below 1, so the output
 * needs no clamp. Measured over every single-precision input with these exact
 * steps: |error| < 1.2e-5 everywhere, < 5.3e-6 for |x| < 1.5, < 1.7e-6 for
 * |x| < 0.5; the largest value is 0.9999918.
 *
 * Fourteen vector operations. The Padé (7, 6) form used before took nineteen,
 * with ten times the largest error (1e-4 near its clamp at 4.97). It matters:
 * tanh runs on every unit of every layer, so it is a large share of a tanh
 * network's frame, and each operation saved here shows in the whole render.
 */
export const TANH_CLAMP = 6;
export const TANH_NUMERATOR = [17548.994140625, 2020.255859375, 26.824745178222656] as const;
export const TANH_DENOMINATOR = [17548.994140625, 7869.52685546875, 310.77081298828125, 1] as const;

export function tanh(p: VectorProgram, x: Value): Value {
  const c = p.clamp(x, -TANH_CLAMP, TANH_CLAMP);
  const s = p.mul(c, c);
  return p.div(p.mul(c, p.polynomial(s, TANH_NUMERATOR)), p.polynomial(s, TANH_DENOMINATOR));
}

// π split in three so that m * PI_A and m * PI_B are exact for |m| < 2^11.
const PI_A = 3.140625;
const PI_B = Math.fround(Math.PI - PI_A);
const PI_C = Math.fround(Math.PI - PI_A - PI_B);
const INV_PI = 1 / Math.PI;
// Taylor coefficients of sin(r)/r and cos(r) in r²; errors below 7e-10 for |r| <= π/2.
const SIN_POLY = [1, -1 / 6, 1 / 120, -1 / 5040, 1 / 362880, -1 / 39916800, 1 / 6227020800];
const COS_POLY = [1, -1 / 2, 1 / 24, -1 / 720, 1 / 40320, -1 / 3628800, 1 / 479001600, -1 / 87178291200];

/** x - n·π with a three-part π, given n. */
function reduce(p: VectorProgram, x: Value, n: Value): Value {
  const a = p.sub(x, p.mul(n, p.constant(PI_A)));
  const b = p.sub(a, p.mul(n, p.constant(PI_B)));
  return p.sub(b, p.mul(n, p.constant(PI_C)));
}

/**
 * sin(x) = (-1)^n sin(x - nπ) with n = round(x/π). Absolute error below
 * 2.5e-7 for single-precision x with |x| < 2000 (the three-part π keeps the
 * reduction exact that far).
 */
export function sin(p: VectorProgram, x: Value): Value {
  const magicN = p.roundToIntegerMagic(p.mul(x, p.constant(INV_PI)));
  const r = reduce(p, x, p.integerFromMagic(magicN));
  return p.flipIfOdd(p.mul(r, p.polynomial(p.mul(r, r), SIN_POLY)), magicN);
}

/** cos(x) = (-1)^n cos(x - nπ) with n = round(x/π). Same bounds as sin. */
export function cos(p: VectorProgram, x: Value): Value {
  const magicN = p.roundToIntegerMagic(p.mul(x, p.constant(INV_PI)));
  const r = reduce(p, x, p.integerFromMagic(magicN));
  return p.flipIfOdd(p.polynomial(p.mul(r, r), COS_POLY), magicN);
}

// 2·atanh series for log(1 + u) with s = u / (2 + u) in [0, 1/3].
const LOG_SERIES = [2, 2 / 3, 2 / 5, 2 / 7, 2 / 9, 2 / 11, 2 / 13];

/** log(1 + u) for u in [0, 1]. Absolute error below 2e-7. */
export function log1pUnit(p: VectorProgram, u: Value): Value {
  const s = p.div(u, p.add(p.constant(2), u));
  return p.mul(s, p.polynomial(p.mul(s, s), LOG_SERIES));
}

/** log(1 + e^x), stable for any x. */
export function softplus(p: VectorProgram, x: Value): Value {
  const zero = p.constant(0);
  return p.add(p.max(x, zero), log1pUnit(p, exp(p, p.neg(p.abs(x)))));
}
