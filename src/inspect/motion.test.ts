import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyTimeMap, FrameBuilder, keyframeSeconds, loadScene, PreviewRenderer, sceneFromFile, validateSceneData, type LoadedScene, type SceneInput } from '../scene/index.js';
import { findRuns, measureMotion } from './motion.js';

const SCENES = resolve(import.meta.dirname, '../../scenes');
const scene = (name: string): LoadedScene => loadScene(resolve(SCENES, `${name}.yaml`));

function changed(loaded: LoadedScene, set: (scene: SceneInput) => SceneInput): LoadedScene {
  const file = validateSceneData(set(loaded.scene as SceneInput));
  return sceneFromFile(file, loaded.origin, '/', file.name!, loaded.library);
}

const paced = (loaded: LoadedScene): LoadedScene => changed(loaded, (s) => ({ ...s, pacing: 'even' }));
const keyed = (loaded: LoadedScene): LoadedScene => changed(loaded, (s) => ({ ...s, pacing: 'keyframes' }));

describe('spikes and stalls', () => {
  it('are runs far above or below the median change', () => {
    const changes = [10, 10, 10, 30, 10, 1, 1, 1, 10, 10, 1];
    const runs = findRuns(changes, 10);
    expect(runs).toEqual([
      { kind: 'spike', from: 3, to: 3, seconds: [0.3, 0.4], extreme: 30 },
      { kind: 'stall', from: 5, to: 7, seconds: [0.5, 0.8], extreme: 1 },
    ]);
  });
});

describe('pacing: even', () => {
  it('lowers the spread (max / median) of the change per frame of orbit, and removes its spikes and stalls', () => {
    const before = measureMotion(keyed(scene('orbit')));
    const after = measureMotion(paced(scene('orbit')));
    // Measured at 64x64: about 3.0 before, 1.4 after.
    expect(before.spread).toBeGreaterThan(2.5);
    expect(after.spread).toBeLessThan(before.spread * 0.6);
    expect(before.runs.length).toBeGreaterThan(0);
    expect(after.runs).toEqual([]);
  });

  it('keeps the loop closed: the frame after the last is the first, and the seam is no spike', () => {
    const loaded = paced(scene('orbit'));
    const builder = new FrameBuilder(loaded.model, loaded.library);
    const preview = new PreviewRenderer([48, 48]);
    expect(preview.render(builder.atTime(loaded.scene.output.duration))).toEqual(preview.render(builder.atTime(0)));
    const motion = measureMotion(loaded);
    expect(motion.changes[motion.changes.length - 1]).toBeLessThan(2 * motion.median);
  });

  it('per keyframe segment: re-times only that segment, keeps every keyframe in place and in order', () => {
    const loaded = changed(scene('drift'), (s) => ({ ...s, pacing: 'keyframes', keyframes: s.keyframes!.map((k, i) => (i === 1 ? { ...k, pacing: 'even' as const } : k)) }));
    const map = new FrameBuilder(loaded.model, loaded.library).pacing()!;
    expect(map.segments).toHaveLength(1);
    const times = loaded.scene.keyframes.map((k) => keyframeSeconds(k, loaded.scene.output.fps));
    for (const t of times) expect(applyTimeMap(map, t)).toBeCloseTo(t, 9);
    // Outside the segment, time is untouched; inside, it only moves forwards.
    expect(applyTimeMap(map, 1)).toBe(1);
    let previous = -Infinity;
    for (let t = 0; t < loaded.scene.output.duration; t += 0.01) {
      const shown = applyTimeMap(map, t);
      expect(shown).toBeGreaterThanOrEqual(previous);
      previous = shown;
    }
  });

  it('does not depend on the output size: the same re-timing at 32 and 512 px', () => {
    const small = changed(paced(scene('drift')), (s) => ({ ...s, output: { ...s.output, size: [32, 32] } }));
    const large = paced(scene('drift'));
    expect(new FrameBuilder(small.model).pacing()).toEqual(new FrameBuilder(large.model).pacing());
  });
});
