import { describe, expect, it } from 'vitest';
import { validateSceneData } from './load.js';
import { overrideScene } from './overrides.js';
import { keyframeSeconds } from './keyframe-time.js';
import { loopSeamWarnings } from './loop-check.js';

const scene = validateSceneData({
  output: { duration: 4, fps: 10 },
  keyframes: [
    { at: 0, seed: 3, zoom: 1 },
    { frame: 20, seed: 5, zoom: 2 },
  ],
});

describe('overriding a scene from the command line', () => {
  it('--fps keeps keyframes where they are in seconds, even those written as frames', () => {
    const faster = overrideScene(scene, { fps: 5 });
    expect(faster.keyframes.map((k) => keyframeSeconds(k, faster.output.fps))).toEqual([0, 2]);
  });

  it('--duration stretches the keyframes with the video', () => {
    const shorter = overrideScene(scene, { duration: 2 });
    expect(shorter.keyframes.map((k) => keyframeSeconds(k, shorter.output.fps))).toEqual([0, 1]);
  });

  it('--seed moves every seed by the same amount', () => {
    const other = overrideScene(scene, { seed: 11 });
    expect([other.seed, ...other.keyframes.map((k) => k.seed)]).toEqual([11, 13, 15]);
  });
});

describe('loop warnings', () => {
  it('warn when linear time would jump at the seam', () => {
    const linear = validateSceneData({ network: { inputs: ['x', 'y', 't'], time: { mode: 'linear' } } });
    expect(loopSeamWarnings(linear)[0]).toMatch(/time\.mode linear, the time input runs 0 → 1 and jumps back/);
    expect(loopSeamWarnings(validateSceneData({ network: { inputs: ['x', 'y', 't'] } }))).toEqual([]);
  });
});
