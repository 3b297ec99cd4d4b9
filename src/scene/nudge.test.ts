import { describe, expect, it } from 'vitest';
import { SceneError } from '../errors.js';
import { FrameBuilder } from './frames.js';
import { validateSceneData } from './load.js';
import { loopSeamWarnings } from './loop-check.js';
import { buildModel } from './model.js';
import type { SceneInput } from './schema.js';

const NETWORK: NonNullable<SceneInput['network']> = { inputs: ['x', 'y', 'r'], layers: { depth: 3, width: 6 } };

function builder(scene: SceneInput): FrameBuilder {
  return new FrameBuilder(buildModel(validateSceneData(scene), 'nudge'));
}

function weightsOf(scene: SceneInput, time = 0): Float32Array[] {
  return builder(scene).atTime(time).weights.layers.map((l) => Float32Array.from(l.weight));
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let most = 0;
  a.forEach((layer, i) => layer.forEach((v, k) => (most = Math.max(most, Math.abs(v - b[i][k])))));
  return most;
}

function problems(scene: unknown): string[] {
  try {
    validateSceneData(scene);
    return [];
  } catch (error) {
    return (error as SceneError).problems.map((p) => `${p.path.join('.')}: ${p.message}`);
  }
}

describe('nudges through weight space', () => {
  it('amount 0 changes nothing and amount 1 is the target network', () => {
    const plain = weightsOf({ seed: 4, network: NETWORK });
    expect(weightsOf({ seed: 4, network: NETWORK, nudge: [{ seed: 9, amount: 0 }] })).toEqual(plain);
    expect(weightsOf({ seed: 4, network: NETWORK, nudge: [{ seed: 9, amount: 1 }] })).toEqual(weightsOf({ seed: 9, network: NETWORK }));
  });

  it('a nudge toward B by u is the pose halfway along a keyframed blend from A to B at u', () => {
    const keyframed: SceneInput = {
      network: NETWORK,
      loop: false,
      ease: 'linear',
      output: { duration: 2 },
      keyframes: [
        { at: 0, seed: 4 },
        { at: 2, seed: 9 },
      ],
    };
    for (const blend of ['variance-preserving', 'linear'] as const) {
      const between = weightsOf({ ...keyframed, network: { ...NETWORK, blend } }, 0.6);
      const nudged = weightsOf({ seed: 4, network: { ...NETWORK, blend }, nudge: [{ seed: 9, amount: 0.3 }] });
      expect(maxDifference(between, nudged), blend).toBeLessThan(1e-6);
    }
  });

  it('a nudged target is nudged before it is mixed in, and a keyframe nudges its own network', () => {
    const inner = weightsOf({ seed: 9, network: NETWORK, nudge: [{ seed: 5, amount: 0.4 }] });
    const viaTarget = weightsOf({ seed: 4, network: NETWORK, nudge: [{ seed: 9, amount: 1, nudge: [{ seed: 5, amount: 0.4 }] }] });
    expect(maxDifference(viaTarget, inner)).toBeLessThan(1e-6);
    const keyframe = weightsOf({ network: NETWORK, keyframes: [{ at: 0, seed: 9, nudge: [{ seed: 5, amount: 0.4 }] }] });
    expect(maxDifference(keyframe, inner)).toBeLessThan(1e-6);
  });

  it('moves both of an orbit\'s networks', () => {
    const orbit = { network: NETWORK, orbit: { seeds: [2, 3] as [number, number] } };
    expect(maxDifference(weightsOf({ ...orbit, nudge: [{ seed: 8, amount: 0.5 }] }, 1), weightsOf(orbit, 1))).toBeGreaterThan(0.01);
  });

  it('is refused, located, where it cannot apply or grows absurd', () => {
    expect(problems({ network: NETWORK, keyframes: [{ at: 0, zoom: 2, nudge: [{ seed: 1, amount: 0.2 }] }] })).toEqual([
      'keyframes.0.nudge: nudges the network this keyframe sets, but it sets none; add seed or weights to this keyframe',
    ]);
    expect(problems({ nudge: [{ seed: 1, amount: 1.5 }] })).toEqual(['nudge.0.amount: is number 1.5; it must be at most 1']);
    expect(problems({ nudge: [{ seed: 1, amount: 0.1, strength: 2 }] })[0]).toMatch(/^nudge\.0\.strength: unknown key "strength".*allowed here: seed, amount, nudge/);
    let deep: { seed: number; amount: number; nudge?: unknown[] } = { seed: 1, amount: 0.1 };
    for (let i = 0; i < 9; i++) deep = { seed: i, amount: 0.1, nudge: [deep] };
    expect(problems({ nudge: [deep] })).toEqual(['nudge: nests nudges 10 deep; at most 8 levels are allowed']);
  });

  it('counts in the loop check: a nudged network at the end is another network', () => {
    const scene = validateSceneData({
      network: NETWORK,
      output: { duration: 2 },
      keyframes: [
        { at: 0, seed: 4 },
        { at: 2, seed: 4, nudge: [{ seed: 1, amount: 0.2 }] },
      ],
    });
    expect(loopSeamWarnings(scene).join('\n')).toContain('the network at the end (seed 4 nudged) differs from the one at 0 s (seed 4)');
  });
});
