import { describe, expect, it } from 'vitest';
import { FrameBuilder } from '../frames.js';
import { parseSceneText, validateSceneData } from '../load.js';
import { buildModel } from '../model.js';
import type { SceneFile } from '../schema.js';
import { breed } from './breed.js';
import { keepScene, keyframeHere } from './keep.js';
import { MUTATIONS } from './mutations.js';
import { rewriteSceneText, sameData } from './scene-edits.js';

/** A scene written the way people write them: comments, flow mappings, tight lists. */
const TEXT = `# yaml-language-server: $schema=../scene.schema.json
# A slow drift between three networks.
name: drift   # the output name
output: { size: [64, 64], fps: 10, duration: 6 }

network:
  inputs: [x, y, r, t]      # t: time as an input
  layers: { depth: 4, width: 8 }
  activation: tanh
  output: { channels: 1 }

view: { zoom: 1.5 }
colour: { palette: magma }

keyframes:
  - { at: 0, seed: 1, zoom: 1.6 }   # start here
  # the middle
  - { at: 3, seed: 10, zoom: 1.1 }
`;

const sceneOf = (text: string): SceneFile => validateSceneData(parseSceneText(text, 'drift.yaml').data);
const SCENE = sceneOf(TEXT);

/** Lines of `b` not in `a`, and of `a` not in `b`. */
function lineChanges(a: string, b: string): { added: string[]; removed: string[] } {
  const [la, lb] = [a.split('\n'), b.split('\n')];
  return { added: lb.filter((l) => !la.includes(l)), removed: la.filter((l) => !lb.includes(l)) };
}

describe('breeding variations', () => {
  it('gives the count asked for, each valid, different from the scene and from each other, one operator each', () => {
    const variations = breed(SCENE, { seed: 7, count: 8 });
    expect(variations).toHaveLength(8);
    expect(new Set(variations.map((v) => v.operator))).toEqual(new Set(MUTATIONS.map((m) => m.name)));
    for (const v of variations) {
      expect(validateSceneData(v.scene)).toEqual(v.scene);
      expect(sameData(v.scene, SCENE), v.label).toBe(false);
      expect(v.label.length).toBeGreaterThan(3);
    }
    for (let i = 0; i < variations.length; i++) for (let j = i + 1; j < variations.length; j++) expect(sameData(variations[i].scene, variations[j].scene)).toBe(false);
  });

  it('is deterministic for a seed and differs for another', () => {
    expect(breed(SCENE, { seed: 7 })).toEqual(breed(SCENE, { seed: 7 }));
    expect(breed(SCENE, { seed: 8 }).map((v) => v.label)).not.toEqual(breed(SCENE, { seed: 7 }).map((v) => v.label));
  });

  it('moves further with more strength', () => {
    const amount = (strength: number): number => {
      const nudge = breed(SCENE, { seed: 3, strength, operators: ['nudge'], count: 1 })[0];
      return nudge.scene.keyframes[0].nudge![0].amount;
    };
    expect(amount(0.9)).toBeGreaterThan(amount(0.1));
  });

  it('leaves out operators that cannot change the scene', () => {
    const fromFiles = validateSceneData({ ...SCENE, keyframes: [{ at: 0, weights: 'a.json' }, { at: 3, weights: 'b.json' }] });
    const used = new Set(breed(fromFiles, { seed: 2, count: 12 }).map((v) => v.operator));
    for (const name of ['seed', 'depth', 'width', 'input']) expect(used.has(name), name).toBe(false);
  });

  it('refuses a count or strength out of range, and unknown operators, with the allowed values', () => {
    expect(() => breed(SCENE, { seed: 1, count: 0 })).toThrow('count 0 is not allowed; ask for 1 to 64 variations');
    expect(() => breed(SCENE, { seed: 1, strength: 1.5 })).toThrow('strength 1.5 is not allowed');
    expect(() => breed(SCENE, { seed: 1, operators: ['sead'] })).toThrow(/unknown mutation sead; use any of seed, nudge/);
  });
});

describe('writing a scene back into its YAML', () => {
  it('changes only the lines that hold what changed, byte for byte elsewhere', () => {
    const scene = sceneOf(TEXT);
    const wider = { ...scene, network: { ...scene.network, layers: { depth: 4, width: 12 } } };
    const out = rewriteSceneText(TEXT, wider, 'drift.yaml');
    expect(lineChanges(TEXT, out)).toEqual({ added: ['  layers: { depth: 4, width: 12 }'], removed: ['  layers: { depth: 4, width: 8 }'] });
    const seeds = { ...scene, keyframes: scene.keyframes.map((k) => ({ ...k, seed: k.seed! + 2 })) };
    expect(lineChanges(TEXT, rewriteSceneText(TEXT, seeds, 'drift.yaml')).added).toEqual(['  - { at: 0, seed: 3, zoom: 1.6 }   # start here', '  - { at: 3, seed: 12, zoom: 1.1 }']);
  });

  it('adds keys and sections the file lacks, and keyframes in time order, keeping comments', () => {
    const scene = sceneOf(TEXT);
    const changed: SceneFile = {
      ...scene,
      colour: { ...scene.colour, hue: 40 },
      view: { ...scene.view, rotation: 15 },
      nudge: [{ seed: 5, amount: 0.25 }],
      keyframes: [scene.keyframes[0], { at: 1.5, zoom: 2 }, scene.keyframes[1]],
    };
    const out = rewriteSceneText(TEXT, changed, 'drift.yaml');
    expect(sameData(sceneOf(out), validateSceneData(changed))).toBe(true);
    expect(lineChanges(TEXT, out)).toEqual({
      added: ['view: { zoom: 1.5, rotation: 15 }', 'colour: { palette: magma, hue: 40 }', '  - { at: 1.5, zoom: 2 }', 'nudge:', '  - { seed: 5, amount: 0.25 }'],
      removed: ['view: { zoom: 1.5 }', 'colour: { palette: magma }'],
    });
    for (const comment of ['# A slow drift', '# the output name', '# t: time as an input', '# start here', '# the middle']) expect(out).toContain(comment);
    expect(out.indexOf('{ at: 1.5, zoom: 2 }')).toBeLessThan(out.indexOf('# the middle'));
  });

  it('removes keys and keyframes, and writes through aliases by the Document API when splicing cannot', () => {
    const scene = sceneOf(TEXT);
    const fewer = { ...scene, keyframes: [scene.keyframes[0]], view: { ...scene.view, zoom: 1 } };
    const out = rewriteSceneText(TEXT, fewer, 'drift.yaml');
    expect(out).not.toContain('at: 3');
    expect(sameData(sceneOf(out), validateSceneData(fewer))).toBe(true);
    const withAlias = `network:\n  layers: &layers { depth: 2, width: 4 }\n# kept\nkeyframes:\n  - { at: 0, zoom: 1 }\n`;
    const s2 = sceneOf(withAlias);
    const out2 = rewriteSceneText(withAlias, { ...s2, network: { ...s2.network, layers: { depth: 3, width: 4 } } }, 'a.yaml');
    expect(sceneOf(out2).network.layers).toEqual({ depth: 3, width: 4 });
    expect(out2).toContain('# kept');
  });
});

describe('Keep and Keyframe here', () => {
  const disk = sceneOf(TEXT);
  const valuesAt = (scene: SceneFile, time: number) => new FrameBuilder(buildModel(scene, 'x')).parameterValues(time);

  it('Keep writes a value set by hand where it lives, or as a keyframe where keyframes animate it', () => {
    const kept = keepScene(disk, { rotation: 30, zoom: 2.5 }, 1.2);
    expect(kept.view.rotation).toBe(30);
    expect(kept.keyframes.map((k) => [k.at, k.zoom])).toEqual([[0, 1.6], [1.2, 2.5], [3, 1.1]]);
  });

  it('Keyframe here sets the moment and keeps every other keyframe as it was', () => {
    const result = keyframeHere(disk, disk, { rotation: 30 }, 1.5);
    expect(result.keyframes).toEqual([
      { at: 0, seed: 1, zoom: 1.6, rotation: 0 },
      { at: 1.5, rotation: 30 },
      { at: 3, seed: 10, zoom: 1.1, rotation: 0 },
    ]);
    expect(valuesAt(result, 1.5).numbers.rotation).toBe(30);
    expect(valuesAt(result, 0).numbers.rotation).toBe(0);
  });

  it('Keyframe here writes the pose of a nudged variation as one keyframe that shows the same network', () => {
    const variation = breed(disk, { seed: 4, operators: ['nudge'], count: 1 })[0].scene;
    const result = keyframeHere(disk, variation, {}, 1.2);
    const added = result.keyframes.find((k) => k.at === 1.2)!;
    expect(added.seed).toBe(1);
    expect(added.nudge).toHaveLength(2);
    const shown = new FrameBuilder(buildModel(variation, 'x')).atTime(1.2).weights;
    const written = new FrameBuilder(buildModel(result, 'x')).atTime(1.2).weights;
    const most = shown.layers.reduce((m, l, i) => Math.max(m, ...l.weight.map((v, k) => Math.abs(v - written.layers[i].weight[k]))), 0);
    expect(most).toBeLessThan(1e-4);
    // The keyframes on disk are untouched.
    expect(result.keyframes.filter((k) => k.at !== 1.2)).toEqual(disk.keyframes);
  });

  it('says so when nothing differs', () => {
    expect(() => keyframeHere(disk, disk, {}, 1)).toThrow('nothing differs here from the scene on disk');
  });
});
