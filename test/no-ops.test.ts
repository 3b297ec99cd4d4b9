import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

function scene(name: string, text: string): string {
  const path = join(dir.path, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

const warningLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('warning: '));

describe('keys that change nothing', () => {
  it('validate warns at file:line:column for frequency and slope keyframed on a tanh network, and still accepts the scene', async () => {
    const path = scene('tanh-frequency', ['name: tanh-frequency', 'network: { inputs: [x, y, t], activation: tanh }', 'keyframes:', '  - { at: 0, frequency: 1 }', '  - { at: 3, frequency: 5, slope: 0.2 }', ''].join('\n'));
    const result = await runCli(['validate', path]);
    expect(result.code).toBe(0);
    const lines = warningLines(result.stderr);
    expect(lines).toContain(`warning: ${path}:4:14: keyframes[0].frequency: 2 keyframes set frequency, but no layer of this network uses a frequency (only sin, cos and logistic with squash: cos do), so it changes nothing`);
    expect(lines.some((l) => l.startsWith(`warning: ${path}:5:28: keyframes[1].slope: sets slope, but no layer of this network uses a slope`))).toBe(true);
    // t is an input, so the video still moves: no "never moves" warning.
    expect(result.stderr).not.toContain('never moves');
  });

  it('says nothing when the keyframed parameter is used (frequency on a cos network)', async () => {
    const path = scene('cos-frequency', ['network: { inputs: [x, y], activation: { name: cos, frequency: 2 } }', 'keyframes:', '  - { at: 0, frequency: 1 }', '  - { at: 3, frequency: 5 }', ''].join('\n'));
    const result = await runCli(['validate', path]);
    expect(result.code).toBe(0);
    expect(warningLines(result.stderr)).toEqual([]);
  });

  it('warns for t without a time input, z without a latent input, and an option the activation does not take', async () => {
    const path = scene('inputs', ['network:', '  inputs: [x, y]', '  activation: { name: relu, slope: 0.3 }', 'keyframes:', '  - { at: 0, seed: 1, t: 0, z: [] }', '  - { at: 3, seed: 2, t: 0.5 }', ''].join('\n'));
    const result = await runCli(['validate', path]);
    expect(result.code).toBe(0);
    const text = warningLines(result.stderr).join('\n');
    expect(text).toContain(`${path}:3:29: network.activation.slope: relu does not use slope, so it changes nothing (it takes no options)`);
    expect(text).toContain(`${path}:5:23: keyframes[0].t: 2 keyframes set t, but the network has no time input (add t to network.inputs), so it changes nothing`);
    expect(text).toContain(`${path}:5:29: keyframes[0].z: sets z, but the network has no latent input`);
  });

  it('render warns once that a video never moves (name: hello), and renders it anyway', async () => {
    const path = scene('hello', 'name: hello\noutput: { size: [16, 16], fps: 4, duration: 1, formats: [mp4] }\n');
    const result = await runCli(['render', path, '--out', join(dir.path, 'hello')]);
    expect(result.code).toBe(0);
    // (At 16 px the default network's detail is finer than the pixels, so the static warning may come too.)
    expect(warningLines(result.stderr).filter((l) => l.includes('never moves'))).toEqual([
      `warning: ${path}:1:1: the video never moves: all 4 frames are the same picture (no time input t, no orbit, and no keyframes that change anything the network uses); add t to network.inputs, keyframe seed, zoom or rotation, or mark the scene as a picture with output.kind: still`,
    ]);
  });

  it('does not call a video static when a keyframe moves something the network uses', async () => {
    const path = scene('zooming', 'network: { inputs: [x, y] }\nkeyframes:\n  - { at: 0, zoom: 1 }\n  - { at: 3, zoom: 2 }\n');
    const result = await runCli(['validate', path]);
    expect(result.stderr).not.toContain('never moves');
  });

  it('batch refuses a --set over a parameter nothing uses (every item would be identical), exit code 2', async () => {
    const path = scene('tanh-series', 'network: { inputs: [x, y, t], activation: tanh }\noutput: { size: [16, 16], duration: 1 }\n');
    const result = await runCli(['batch', path, '--set', 'frequency=3,5', '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path}: the series varies frequency, but no layer of this network uses a frequency`);
    expect(result.stderr).toContain('so every item would be the same picture; vary something this network uses (scale, zoom, rotation, hue, saturation, brightness, contrast)');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const fine = await runCli(['batch', path, '--set', 'zoom=1,2', '--dry-run']);
    expect(fine.code).toBe(0);
  });

  it('batch warns at the line of a scene series grid over a parameter nothing uses, then refuses it', async () => {
    const path = scene('grid', 'network: { inputs: [x, y, t] }\nseries:\n  grid: { slope: [0.1, 0.2] }\n');
    const result = await runCli(['batch', path, '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`warning: ${path}:3:11: series.grid.slope: varies slope, but no layer of this network uses a slope`);
  });

  it('no example scene with motion gets a warning from validate', async () => {
    const moving = ['drift', 'orbit', 'spin', 'breathe', 'cosine-warp', 'latent-walk', 'logistic-pulse', 'weights-morph', 'series'].map((n) => `scenes/${n}.yaml`);
    const result = await runCli(['validate', ...moving]);
    expect(result.code).toBe(0);
    expect(warningLines(result.stderr)).toEqual([]);
  });
});
