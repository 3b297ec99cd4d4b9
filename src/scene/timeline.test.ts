import { describe, expect, it } from 'vitest';
import { easing } from './easing.js';
import { validateSceneData } from './load.js';
import type { SceneInput } from './schema.js';
import { buildTimeline, frameTime, valuesAt } from './timeline.js';

function timeline(scene: SceneInput) {
  return buildTimeline(validateSceneData(scene));
}

describe('easing', () => {
  it('named curves start at 0, end at 1, and have their shape', () => {
    for (const name of ['linear', 'in-sine', 'out-sine', 'in-out-sine', 'in-quad', 'out-quad', 'in-out-quad', 'in-cubic', 'out-cubic', 'in-out-cubic', 'in-expo', 'out-expo', 'in-out-expo']) {
      expect(easing(name)(0), name).toBeCloseTo(0, 3);
      expect(easing(name)(1), name).toBeCloseTo(1, 3);
    }
    expect(easing('in-quad')(0.5)).toBe(0.25);
    expect(easing('out-quad')(0.5)).toBe(0.75);
    expect(easing('in-out-sine')(0.5)).toBeCloseTo(0.5, 12);
    expect(easing('hold')(0.99)).toBe(0);
  });

  it('cubic-bezier follows CSS: ease-in-out is symmetric, linear control points are linear', () => {
    const css = easing('cubic-bezier(0.42, 0, 0.58, 1)');
    expect(css(0.5)).toBeCloseTo(0.5, 6);
    expect(css(0.25)).toBeCloseTo(1 - css(0.75), 6);
    expect(easing('cubic-bezier(0.25, 0.25, 0.75, 0.75)')(0.3)).toBeCloseTo(0.3, 6);
  });
});

describe('the timeline', () => {
  it('interpolates each parameter between the keyframes that set it, with the easing of the segment start', () => {
    const t = timeline({
      output: { duration: 4, fps: 10 },
      loop: false,
      keyframes: [
        { at: 0, zoom: 1, rotation: 0, ease: 'linear' },
        { at: 2, rotation: 90, ease: 'hold' },
        { at: 4, zoom: 3, rotation: 180 },
      ],
    });
    expect(valuesAt(t, 1).numbers.zoom).toBe(1.5);
    expect(valuesAt(t, 2).numbers.zoom).toBe(2);
    expect(valuesAt(t, 1).numbers.rotation).toBe(45);
    // The segment from the keyframe at 2 s holds its value.
    expect(valuesAt(t, 3.9).numbers.rotation).toBe(90);
    expect(valuesAt(t, 4).numbers.rotation).toBe(180);
    expect(valuesAt(t, 1).numbers.hue).toBeUndefined();
  });

  it('accepts keyframe times as frame numbers', () => {
    const t = timeline({ output: { duration: 2, fps: 10 }, loop: false, keyframes: [{ frame: 0, zoom: 0, ease: 'linear' }, { frame: 20, zoom: 2 }] });
    expect(valuesAt(t, 0.5).numbers.zoom).toBe(0.5);
  });

  it('closes a loop: after the last keyframe a parameter returns to its first value, and frame N would equal frame 0', () => {
    const t = timeline({ output: { duration: 6, fps: 10 }, ease: 'linear', keyframes: [{ at: 0, zoom: 1 }, { at: 3, zoom: 2 }] });
    expect(t.frameCount).toBe(60);
    expect(frameTime(t, 59)).toBeCloseTo(5.9, 12);
    expect(valuesAt(t, 4.5).numbers.zoom).toBeCloseTo(1.5, 12);
    expect(valuesAt(t, frameTime(t, 0)).numbers.zoom).toBe(1);
    // The frame after the last one (never written) is frame 0 again.
    expect(valuesAt(t, 6 - 1e-12).numbers.zoom).toBeCloseTo(1, 9);
  });

  it('in a loop, time before the first keyframe belongs to the closing segment', () => {
    const t = timeline({ output: { duration: 4 }, ease: 'linear', keyframes: [{ at: 1, zoom: 1 }, { at: 3, zoom: 3 }] });
    // Closing segment: 3 s (zoom 3) → 5 s ≡ 1 s (zoom 1); 0 s ≡ 4 s is halfway.
    expect(valuesAt(t, 0).numbers.zoom).toBeCloseTo(2, 12);
  });

  it('a video that plays once spans its whole duration, first to last frame', () => {
    const t = timeline({ output: { duration: 2, fps: 5 }, loop: false });
    expect(frameTime(t, 0)).toBe(0);
    expect(frameTime(t, 9)).toBe(2);
  });

  it('ping-pong turns around on a frame: its frame count is even', () => {
    const t = timeline({ output: { duration: 1, fps: 5 }, loop: 'ping-pong' });
    expect(t.frameCount).toBe(6);
    expect([0, 1, 2, 3, 4, 5].map((i) => frameTime(t, i))).toEqual([0, 1 / 3, 2 / 3, 1, 2 / 3, 1 / 3]);
  });

  it('ping-pong plays forwards then backwards', () => {
    const t = timeline({ output: { duration: 2, fps: 5 }, loop: 'ping-pong' });
    expect([0, 5, 9].map((i) => frameTime(t, i))).toEqual([0, 2, 0.4]);
  });

  it('blends networks between seed keyframes', () => {
    const t = timeline({ output: { duration: 2 }, loop: false, keyframes: [{ at: 0, seed: 4, ease: 'linear' }, { at: 2, seed: 9 }] });
    expect(valuesAt(t, 0.5).network).toEqual({ kind: 'blend', a: { kind: 'seed', seed: 4 }, b: { kind: 'seed', seed: 9 }, u: 0.25 });
  });
});
