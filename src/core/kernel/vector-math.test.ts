import { describe, expect, it } from 'vitest';
import { compileScalar } from './js-kernel.js';
import * as vm from './vector-math.js';
import { VectorProgram, type Value } from './vector-program.js';

function scalar(build: (p: VectorProgram, x: Value) => Value): (x: number) => number {
  const p = new VectorProgram();
  p.result = build(p, p.input);
  const fn = compileScalar(p);
  return (x) => fn(Math.fround(x), new Float32Array(4));
}

function maxError(approx: (x: number) => number, exact: (x: number) => number, lo: number, hi: number, relative = false): number {
  let worst = 0;
  const steps = 200_000;
  for (let i = 0; i <= steps; i++) {
    const x = Math.fround(lo + ((hi - lo) * i) / steps);
    const want = exact(x);
    const err = Math.abs(approx(x) - want) / (relative ? Math.abs(want) : 1);
    worst = Math.max(worst, err);
  }
  return worst;
}

describe('vector math approximations stay within their stated bounds', () => {
  it('exp: relative error below 1.5e-7 on [-87, 88]', () => {
    expect(maxError(scalar(vm.exp), Math.exp, -87, 88, true)).toBeLessThan(1.5e-7);
  });
  it('sigmoid: absolute error below 1e-7', () => {
    expect(maxError(scalar(vm.sigmoid), (x) => 1 / (1 + Math.exp(-x)), -40, 40)).toBeLessThan(1e-7);
  });
  it('tanh: absolute error below 1.2e-5 everywhere and 2e-6 for |x| < 0.5, odd, never beyond ±1', () => {
    const tanh = scalar(vm.tanh);
    expect(maxError(tanh, Math.tanh, -20, 20)).toBeLessThan(1.2e-5);
    // Densely where the fit's error peaks, and near 0, where it must be smallest.
    expect(maxError(tanh, Math.tanh, 3, 7)).toBeLessThan(1.2e-5);
    expect(maxError(tanh, Math.tanh, -0.5, 0.5)).toBeLessThan(2e-6);
    for (const x of [1e-30, 0.3, 2, 5.999, 6, 7, 1e30]) {
      expect(tanh(-x)).toBe(-tanh(x));
      expect(Math.abs(tanh(x))).toBeLessThanOrEqual(1);
    }
    expect(tanh(0)).toBe(0);
  });
  it('sin and cos: absolute error below 2.5e-7 for |x| < 2000', () => {
    expect(maxError(scalar(vm.sin), Math.sin, -2000, 2000)).toBeLessThan(2.5e-7);
    expect(maxError(scalar(vm.cos), Math.cos, -2000, 2000)).toBeLessThan(2.5e-7);
  });
  it('softplus: absolute error below 2e-7 for x < 2, relative below 3e-7 above', () => {
    expect(maxError(scalar(vm.softplus), (x) => Math.log1p(Math.exp(x)), -30, 2)).toBeLessThan(2e-7);
    expect(maxError(scalar(vm.softplus), (x) => Math.log1p(Math.exp(x)), 2, 40, true)).toBeLessThan(3e-7);
  });
});
