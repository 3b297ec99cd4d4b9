import { describe, expect, it } from 'vitest';
import { validateSceneData, type SceneInput } from '../scene/index.js';
import { FrameRenderer } from './frame-renderer.js';

function renderer(scene: SceneInput): FrameRenderer {
  return new FrameRenderer(validateSceneData(scene), new Map());
}

function rgbStd(frame: Uint8Array): number {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let i = 0; i < frame.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      sum += frame[i + c];
      sumSq += frame[i + c] ** 2;
      n++;
    }
  }
  return Math.sqrt(sumSq / n - (sum / n) ** 2);
}

function meanAbsDifference(a: Uint8Array, b: Uint8Array): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) if (i % 4 !== 3) total += Math.abs(a[i] - b[i]);
  return total / ((a.length / 4) * 3);
}

describe('weight interpolation between two random networks', () => {
  /** Ratio of the pixel spread halfway between two networks to the spread at the ends, over 24 pairs. */
  function midpointSpread(blend: 'variance-preserving' | 'linear'): number {
    let ends = 0;
    let mids = 0;
    for (let pair = 0; pair < 24; pair++) {
      const r = renderer({
        output: { size: [64, 64], duration: 2 },
        loop: false,
        network: { inputs: ['x', 'y', 'r'], blend },
        view: { zoom: 2 },
        keyframes: [{ at: 0, seed: 100 + 2 * pair, ease: 'linear' }, { at: 2, seed: 101 + 2 * pair }],
      });
      ends += (rgbStd(r.renderFrame({ time: 0 })) + rgbStd(r.renderFrame({ time: 2 }))) / 2;
      mids += rgbStd(r.renderFrame({ time: 1 }));
    }
    return mids / ends;
  }

  it('variance-preserving (the default) keeps the midpoint within 25 % of the endpoints; linear visibly drops', () => {
    const preserving = midpointSpread('variance-preserving');
    const linear = midpointSpread('linear');
    expect(preserving).toBeGreaterThan(0.75);
    expect(preserving).toBeLessThan(1.25);
    expect(linear).toBeLessThan(0.9);
    expect(linear).toBeLessThan(preserving - 0.1);
  });
});

describe('seamless loops', () => {
  function seam(scene: SceneInput): { seam: number; typical: number } {
    const r = renderer(scene);
    const n = r.builder.model.timeline.frameCount;
    const frames = Array.from({ length: n }, (_, i) => r.renderFrame({ index: i }));
    const neighbours = frames.slice(1).map((f, i) => meanAbsDifference(frames[i], f)).sort((a, b) => a - b);
    return { seam: meanAbsDifference(frames[n - 1], frames[0]), typical: neighbours[Math.floor(neighbours.length / 2)] };
  }

  it('the jump from the last frame to the first is no larger than a typical step between neighbours', () => {
    const { seam: jump, typical } = seam({
      output: { size: [64, 64], fps: 12, duration: 3 },
      network: { inputs: ['x', 'y', 'r', 't'] },
      keyframes: [{ at: 0, seed: 1, zoom: 1 }, { at: 1, seed: 2, zoom: 1.5 }, { at: 2, seed: 3, rotation: 30 }],
    });
    expect(typical).toBeGreaterThan(0);
    expect(jump).toBeLessThanOrEqual(typical * 1.25);
  });

  it('a weight orbit closes as well', () => {
    const { seam: jump, typical } = seam({ output: { size: [64, 64], fps: 12, duration: 3 }, orbit: { seeds: [4, 5] } });
    expect(jump).toBeLessThanOrEqual(typical * 1.25);
  });

  it('without the loop the trajectory does not close (the measure can fail)', () => {
    const { seam: jump, typical } = seam({ output: { size: [64, 64], fps: 12, duration: 3 }, loop: false, keyframes: [{ at: 0, seed: 1 }, { at: 3, seed: 2 }] });
    expect(jump).toBeGreaterThan(typical * 2);
  });
});
