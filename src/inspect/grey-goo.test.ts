import { readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadScene, sceneFromFile, validateSceneData, type LoadedScene } from '../scene/index.js';
import { detectGreyGoo, GREY_GOO_STD, greyGooWarning, isFlat } from './grey-goo.js';

const SCENES = resolve(import.meta.dirname, '../../scenes');
const scene = (name: string): LoadedScene => loadScene(resolve(SCENES, `${name}.yaml`));

/** The scene with `network.<key>` replaced. */
function withNetwork(loaded: LoadedScene, change: Record<string, unknown>): LoadedScene {
  const file = validateSceneData({ ...loaded.scene, network: { ...loaded.scene.network, ...change } });
  return sceneFromFile(file, loaded.origin, '/', file.name!);
}

describe('the grey-goo line', () => {
  it('is crossed only when every channel is below it', () => {
    expect(isFlat([GREY_GOO_STD * 0.99])).toBe(true);
    expect(isFlat([GREY_GOO_STD * 1.01])).toBe(false);
    expect(isFlat([0.001, 0.001, 0.001])).toBe(true);
    // One lively channel is a picture (in one colour), not goo.
    expect(isFlat([0.001, 0.2, 0.001])).toBe(false);
  });

  it('fires for the write-ups\' case (pytorch-default init, 8 tanh layers of 16, sigmoid output) and not for normal(0, 1)', () => {
    const goo = detectGreyGoo(scene('grey-goo'));
    expect(goo).toBeDefined();
    expect(goo!.outputStd[0]).toBeLessThan(GREY_GOO_STD / 10);
    expect(goo!.reason).toMatch(/fades layer by layer/);
    expect(goo!.reason).toMatch(/pytorch-default weights .* too small for 8 tanh layers/);
    expect(goo!.fixes).toContain('network.init: { normal: { std: 1 } }');
    expect(detectGreyGoo(scene('normal-1'))).toBeUndefined();
  });

  it('falls on both sides of the line as the same network\'s weights grow', () => {
    const goo = scene('grey-goo');
    // Measured output std: about 0.0004 at ×1, 0.02 at ×2 (see `inspect`).
    expect(greyGooWarning(withNetwork(goo, { scale: 1 }))).toBeDefined();
    expect(greyGooWarning(withNetwork(goo, { scale: 2 }))).toBeUndefined();
  });

  it('stays quiet for every example scene but grey goo', () => {
    const names = readdirSync(SCENES).filter((f) => f.endsWith('.yaml')).map((f) => basename(f, '.yaml'));
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      const warning = greyGooWarning(scene(name));
      if (name === 'grey-goo') expect(warning).toBeDefined();
      else expect(warning, name).toBeUndefined();
    }
  });

  it('suggests only changes that bring the picture back', () => {
    const goo = detectGreyGoo(scene('grey-goo'))!;
    expect(goo.fixes.length).toBeGreaterThanOrEqual(2);
    for (const fix of goo.fixes) {
      const [, key, value] = /^network\.(\w+): (.*)$/.exec(fix)!;
      const fixed = withNetwork(scene('grey-goo'), { [key]: parse(value) });
      expect(greyGooWarning(fixed), fix).toBeUndefined();
    }
  });

  it('names dead relu units when they are the cause', () => {
    // Weights and biases around −5: by the second layer every pre-activation is far below zero.
    const dead = withNetwork(scene('relu'), { init: { normal: { mean: -5, std: 0.1 } } });
    const goo = detectGreyGoo(dead);
    expect(goo?.reason).toMatch(/^every unit of layer \d \(relu\) is dead, flat at every pixel/);
  });

  it('checks several moments of a video and warns only when all of them are flat', () => {
    const goo = scene('grey-goo');
    expect(detectGreyGoo(goo, { at: [0, 1, 2] })).toBeDefined();
    expect(detectGreyGoo(scene('artsy'), { at: [0, 2] })).toBeUndefined();
  });

  it('writes one message: what, why, and what to try', () => {
    const message = greyGooWarning(scene('grey-goo'))!;
    const lines = message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^grey goo: the output of grey-goo hardly changes across the image \(std 0\.000\d on the 0–1 colour scale; below 0\.01/);
    expect(lines[1]).toMatch(/^ {2}why: /);
    expect(lines[2]).toMatch(/^ {2}try \(each checked on a small preview\): network\.init: \{ normal: \{ std: 1 \} \}/);
  });
});
