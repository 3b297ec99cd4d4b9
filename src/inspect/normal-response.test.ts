import { describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES, activation, applyActivation, SeededRandom } from '../core/index.js';
import { normalResponse } from './normal-response.js';

describe('what an activation makes of a standard normal input', () => {
  it('tanh(z): mean 0, std 0.62793 (E[tanh(z)²] = 0.394294)', () => {
    const r = normalResponse(activation('tanh'));
    expect(Math.abs(r.mean)).toBeLessThan(1e-12);
    expect(r.std).toBeCloseTo(0.627929, 5);
  });

  it('relu(z): mean 1/√(2π), std √(1/2 − 1/(2π))', () => {
    const r = normalResponse(activation('relu'));
    expect(r.mean).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 8);
    expect(r.std).toBeCloseTo(Math.sqrt(0.5 - 1 / (2 * Math.PI)), 8);
    // Half of all inputs are negative and land on exactly 0: the first bin.
    expect(r.bins[0].from).toBe(0);
    expect(r.bins[0].share).toBeGreaterThan(0.5);
    expect(r.bins[0].share).toBeLessThan(0.56);
  });

  it('identity(z) is the normal itself, and sigmoid(z) is centred on 0.5', () => {
    const identity = normalResponse(activation('identity'));
    expect(identity.mean).toBeCloseTo(0, 10);
    expect(identity.std).toBeCloseTo(1, 8);
    expect(normalResponse(activation('sigmoid')).mean).toBeCloseTo(0.5, 10);
  });

  it('histograms hold all the probability, in bins that tile the output range', () => {
    for (const name of ACTIVATION_NAMES) {
      const { bins } = normalResponse(activation(name));
      expect(bins.reduce((sum, b) => sum + b.share, 0), name).toBeCloseTo(1, 9);
      for (let i = 1; i < bins.length; i++) expect(bins[i].from, name).toBeCloseTo(bins[i - 1].to, 12);
    }
  });

  it('tanh of a symmetric input gives a symmetric histogram', () => {
    const { bins } = normalResponse(activation('tanh'));
    for (let i = 0; i < bins.length / 2; i++) expect(bins[i].share).toBeCloseTo(bins[bins.length - 1 - i].share, 3);
  });

  it('agrees with sampling 200 000 normal inputs, for every activation', () => {
    const random = new SeededRandom(12345);
    const z = Float64Array.from({ length: 200_000 }, () => random.normal());
    for (const name of ACTIVATION_NAMES) {
      const a = activation(name);
      let sum = 0;
      let sumSq = 0;
      for (const v of z) {
        const y = applyActivation(a, v);
        sum += y;
        sumSq += y * y;
      }
      const mean = sum / z.length;
      const std = Math.sqrt(sumSq / z.length - mean * mean);
      const exact = normalResponse(a);
      // Sampling error of a mean over 200 000 draws: about std / 450.
      expect(Math.abs(mean - exact.mean), name).toBeLessThan(5 * (exact.std / Math.sqrt(z.length)) + 1e-9);
      expect(Math.abs(std - exact.std), name).toBeLessThan(0.01);
    }
  });
});
