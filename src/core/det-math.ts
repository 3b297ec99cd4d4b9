/**
 * Deterministic float64 elementary functions. Math.sin, Math.log and friends
 * are implementation-defined in JavaScript (engines may differ in the last
 * bit), and one differing bit in a weight can change a pixel. These use only
 * +, −, ×, ÷ and exact bit manipulation, which every engine rounds the same
 * way, so seeds give the same weights and parameters everywhere.
 * Accuracy: within a few ulp of the true values over the ranges used here.
 */

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const LN2 = 0.6931471805599453;
const PI = Math.PI;
const HALF_PI_HI = 1.5707963267341256;
const HALF_PI_LO = 6.077100506506192e-11;

const view = new DataView(new ArrayBuffer(8));

/** 2^n for an integer n in [-1022, 1023], exactly. */
function pow2Int(n: number): number {
  view.setUint32(0, (n + 1023) << 20);
  view.setUint32(4, 0);
  return view.getFloat64(0);
}

/** Round half away from zero, exactly (no rounding of the argument). */
function roundInt(x: number): number {
  return x >= 0 ? Math.floor(x + 0.5) : -Math.floor(-x + 0.5);
}

export function detExp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709.7) return Infinity;
  if (x < -745) return 0;
  const n = roundInt(x / LN2);
  const r = x - n * LN2_HI - n * LN2_LO;
  // Taylor series; |r| <= 0.35, so 16 terms reach double precision.
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= 16; k++) {
    term = (term * r) / k;
    sum += term;
  }
  // Split the scaling so that subnormal results are still reached.
  if (n < -1000) return sum * pow2Int(n + 60) * pow2Int(-60);
  if (n > 1000) return sum * pow2Int(n - 60) * pow2Int(60);
  return sum * pow2Int(n);
}

export function detLog(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  let scaled = x;
  let e = 0;
  if (scaled < 2.2250738585072014e-308) {
    scaled *= 2 ** 54;
    e -= 54;
  }
  view.setFloat64(0, scaled);
  const hi = view.getUint32(0);
  e += ((hi >>> 20) & 0x7ff) - 1023;
  // Mantissa m in [1, 2), then moved to [sqrt(1/2), sqrt(2)) for fast convergence.
  view.setUint32(0, (hi & 0x000fffff) | 0x3ff00000);
  let m = view.getFloat64(0);
  if (m > Math.SQRT2) {
    m /= 2;
    e += 1;
  }
  // log m = 2 atanh(s), s = (m − 1)/(m + 1), |s| < 0.172.
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let power = s;
  let sum = 0;
  for (let k = 1; k <= 41; k += 2) {
    sum += power / k;
    power *= s2;
  }
  return e * LN2_HI + (2 * sum + e * LN2_LO);
}

export function detPow(base: number, exponent: number): number {
  if (exponent === 0) return 1;
  if (base === 0) return exponent > 0 ? 0 : Infinity;
  if (base < 0) {
    if (!Number.isInteger(exponent)) return NaN;
    const magnitude = detExp(exponent * detLog(-base));
    return exponent % 2 === 0 ? magnitude : -magnitude;
  }
  return detExp(exponent * detLog(base));
}

function sinTaylor(r: number): number {
  // |r| <= π/4: terms up to r^21.
  const r2 = r * r;
  let term = r;
  let sum = r;
  for (let k = 1; k <= 10; k++) {
    term = (-term * r2) / ((2 * k) * (2 * k + 1));
    sum += term;
  }
  return sum;
}

function cosTaylor(r: number): number {
  const r2 = r * r;
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= 10; k++) {
    term = (-term * r2) / ((2 * k - 1) * (2 * k));
    sum += term;
  }
  return sum;
}

/** Reduces x to r in [-π/4, π/4] with x = r + q·π/2; returns [r, q mod 4]. */
function reduceQuadrant(x: number): [number, number] {
  const q = roundInt(x / (PI / 2));
  const r = x - q * HALF_PI_HI - q * HALF_PI_LO;
  return [r, ((q % 4) + 4) % 4];
}

export function detSin(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const [r, quadrant] = reduceQuadrant(x);
  switch (quadrant) {
    case 0:
      return sinTaylor(r);
    case 1:
      return cosTaylor(r);
    case 2:
      return -sinTaylor(r);
    default:
      return -cosTaylor(r);
  }
}

export function detCos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const [r, quadrant] = reduceQuadrant(x);
  switch (quadrant) {
    case 0:
      return cosTaylor(r);
    case 1:
      return -sinTaylor(r);
    case 2:
      return -cosTaylor(r);
    default:
      return sinTaylor(r);
  }
}
