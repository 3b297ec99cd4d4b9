import { describe, expect, it } from 'vitest';
import { imageTrainingSet } from './image-set.js';

const spec = { inputs: ['x', 'y', 'r'] as const, timeMode: 'circle' as const, timeScale: 1, latentSize: 0 };
const frame = { width: 2, height: 1, view: { zoom: 1, center: [0, 0] as const, rotation: 0 }, t: 0, latent: [] };
// A red pixel and a white one.
const rgba = [255, 0, 0, 255, 255, 255, 255, 255];

describe('a picture as a training set', () => {
  it('three output channels learn RGB in [0, 1]', () => {
    const set = imageTrainingSet(spec, frame, 3, 3, rgba);
    expect(Array.from(set.targets)).toEqual([1, 1, 0, 1, 0, 1]);
  });

  it('one channel (grey or palette) learns the luminance', () => {
    const set = imageTrainingSet(spec, frame, 3, 1, rgba);
    expect(set.targets[0]).toBeCloseTo(0.2126, 6);
    expect(set.targets[1]).toBeCloseTo(1, 6);
  });

  it('features are the renderer’s: pixel centres, the shorter side spanning [−½, ½]', () => {
    const set = imageTrainingSet(spec, frame, 3, 3, rgba);
    // x of the two pixels, then y, then r.
    expect(Array.from(set.features)).toEqual([-0.5, 0.5, 0, 0, 0.5, 0.5]);
  });
});
