/**
 * Property: whatever the change, the text written back validates to exactly
 * the scene wanted and keeps every comment line; in flow style and in block
 * style, for breeds of any seed and strength, Keep and Keyframe here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSceneText, validateSceneData } from '../load.js';
import type { SceneFile } from '../schema.js';
import { breed } from './breed.js';
import { keepScene, keyframeHere } from './keep.js';
import { rewriteSceneText, sameData } from './scene-edits.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

const FLOW = `# flow style
name: flow   # named
output: { size: [32, 32], fps: 10, duration: 4 }
network:
  inputs: [x, y, r, t, z]
  latent: 2
  layers: [8, 6, 4]
  activation: [tanh, sin, tanh]   # one per layer
  output: { channels: 1 }
z: [0.1, -0.2]
colour: { palette: magma, hue: 10 }
keyframes:
  # the start
  - { at: 0, seed: 3, zoom: 1 }
  - { frame: 20, seed: 5, zoom: 2, ease: linear }   # by frame
  - { at: 3.5, z: [0.5, 0.5] }
`;

const BLOCK = `# block style, nothing written in flow
seed: 11
output:
  size: [32, 24]
  duration: 2
network:
  inputs:
    - x
    - y
  layers:
    depth: 4
    width: 5
view:
  zoom: 1.5   # near
  rotation: 10
keyframes:
  - at: 0
    hue: 0
  # halfway
  - at: 1
    hue: 90
`;

const commentLines = (text: string): string[] => text.split('\n').filter((l) => /^\s*#/.test(l));

function check(text: string, wanted: SceneFile): void {
  const out = rewriteSceneText(text, wanted, 'x.yaml');
  const result = validateSceneData(parseSceneText(out, 'x.yaml').data);
  expect(sameData(result, validateSceneData(wanted))).toBe(true);
  for (const line of commentLines(text)) expect(out).toContain(line);
}

describe.each([
  ['flow', FLOW],
  ['block', BLOCK],
])('writing changes into a scene in %s style', (_style, text) => {
  const scene = validateSceneData(parseSceneText(text, 'x.yaml').data);

  it('holds for the variations of any breed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: 0.05, max: 1, noNaN: true }), (seed, strength) => {
        for (const v of breed(scene, { seed, strength, count: 8 })) check(text, v.scene);
      }),
      { numRuns: RUNS },
    );
  });

  it('holds for Keep and Keyframe here of any value at any moment', () => {
    const parameter = fc.constantFrom('zoom', 'rotation', 'hue', 'saturation', 'brightness', 'contrast', 'scale');
    fc.assert(
      fc.property(parameter, fc.double({ min: 0.1, max: 3, noNaN: true }).map((v) => Number(v.toFixed(3))), fc.integer({ min: 0, max: 19 }), fc.integer({ min: 1, max: 1e6 }), (name, value, frame, seed) => {
        const time = Math.min(scene.output.duration, frame / 10);
        const variation = breed(scene, { seed, count: 1 })[0]?.scene ?? scene;
        check(text, keepScene(variation, { [name]: value }, time));
        let here: SceneFile | undefined;
        try {
          here = keyframeHere(scene, variation, { [name]: value }, time);
        } catch (error) {
          // A variation whose layers the keyframes on disk do not fit (a z removed, say), or a value the file has already, is refused with its reason.
          expect((error as Error).message).toMatch(/would not be a valid scene|cannot hold|orbit|nothing differs here/);
        }
        if (here) check(text, here);
      }),
      { numRuns: RUNS },
    );
  });
});
