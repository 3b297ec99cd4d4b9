import { readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadScene, sceneFromFile, validateSceneData, type LoadedScene, type SceneInput } from '../scene/index.js';
import { detectNoise, measureNoise, NOISE_LINE } from './noise.js';

const SCENES = resolve(import.meta.dirname, '../../scenes');
const scene = (name: string): LoadedScene => loadScene(resolve(SCENES, `${name}.yaml`));

/** The scene with a few keys changed (`set` gets the scene file and returns the new one). */
function changed(loaded: LoadedScene, set: (scene: SceneInput) => SceneInput): LoadedScene {
  const file = validateSceneData(set(loaded.scene as SceneInput));
  return sceneFromFile(file, loaded.origin, '/', file.name!);
}

const withFrequency = (loaded: LoadedScene, frequency: number): LoadedScene =>
  changed(loaded, (s) => ({ ...s, network: { ...s.network, activation: { name: 'cos', frequency } } }));

describe('the static (noise) warning', () => {
  it('fires for a cos network of 4 layers of 32, normal(0, 1), frequency 3, zoom 1, and says which layer and what to try', () => {
    const noise = detectNoise(scene('static'), { at: [0, 2] });
    expect(noise).toBeDefined();
    expect(noise!.median).toBeGreaterThan(10 * NOISE_LINE);
    expect(noise!.reason).toMatch(/neighbouring pixels stop being alike at layer \d \(cos, frequency 3\)/);
    expect(noise!.reason).toMatch(/normal\(0, 1\) weights and the frequency of the periodic layers/);
    expect(noise!.fixes.length).toBeGreaterThan(0);
    expect(noise!.message).toMatch(/^static: the picture of static has detail finer than its pixels/);
  });

  it('every fix it suggests does bring the picture under the line', () => {
    const loaded = scene('static');
    const noise = detectNoise(loaded)!;
    for (const fix of noise.fixes) {
      const [path, value] = fix.split(/: (.*)/s);
      const keys = path.split('.');
      const fixed = changed(loaded, (s) => {
        const copy = structuredClone(s) as Record<string, Record<string, unknown>>;
        copy[keys[0]] = { ...copy[keys[0]], [keys[1]]: parse(value) };
        return copy as SceneInput;
      });
      expect(measureNoise(fixed), fix).toBeLessThan(NOISE_LINE);
    }
  });

  it('falls on both sides of its line as the same network\'s frequency grows (measured: 1.2 → 0.012, 1.5 → 0.06)', () => {
    const loaded = scene('static');
    expect(measureNoise(withFrequency(loaded, 1.2), [0, 2])).toBeLessThan(NOISE_LINE);
    expect(detectNoise(withFrequency(loaded, 1.2), { at: [0, 2] })).toBeUndefined();
    expect(measureNoise(withFrequency(loaded, 1.5), [0, 2])).toBeGreaterThan(NOISE_LINE);
    expect(detectNoise(withFrequency(loaded, 1.5), { at: [0, 2] })).toBeDefined();
  });

  it('is about pixels: at 4096 px the same picture has pixels enough for its detail', () => {
    const big = changed(withFrequency(scene('static'), 1.5), (s) => ({ ...s, output: { ...s.output, size: [4096, 4096] } }));
    expect(measureNoise(big)).toBeLessThan(NOISE_LINE);
  });

  it('antialiasing lowers the measure near the line', () => {
    const near = withFrequency(scene('static'), 1.5);
    const smoothed = changed(near, (s) => ({ ...s, output: { ...s.output, antialias: 3 } }));
    expect(measureNoise(smoothed, [0, 2])).toBeLessThan(measureNoise(near, [0, 2]));
  });

  it('stays quiet for every other example scene, hard edges (uniform-100, mondrian) included', () => {
    const names = readdirSync(SCENES).filter((f) => f.endsWith('.yaml')).map((f) => basename(f, '.yaml'));
    expect(names.length).toBeGreaterThan(10);
    for (const name of names.filter((n) => n !== 'static')) {
      const loaded = scene(name);
      expect(detectNoise(loaded, { at: [0, loaded.scene.output.duration / 2] }), name).toBeUndefined();
    }
  });
});
