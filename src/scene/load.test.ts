import { describe, expect, it } from 'vitest';
import { sceneProblems as problems } from '../../test/scene-problems.js';
import { parseSceneText, validateSceneData } from './load.js';

describe('scene errors say where, what, and what is allowed', () => {
  it('accepts a minimal scene and fills defaults', () => {
    const { data, source } = parseSceneText('name: tiny\n', 'scene.yaml');
    const scene = validateSceneData(data, source);
    expect(scene.output.size).toEqual([512, 512]);
    expect(scene.network.layers).toEqual({ depth: 8, width: 16 });
    expect(scene.loop).toBe(true);
  });

  it('unknown activation: line, column, key path, a suggestion and the allowed names', () => {
    const [line] = problems('name: a\nnetwork:\n  activation: tanhh\n');
    expect(line).toMatch(/^scene\.yaml:3:\d+: network\.activation: "tanhh" is not allowed \(did you mean "tanh"\?\); use one of: sigmoid, tanh, hardtanh/);
  });

  it('unknown activation inside a per-layer list', () => {
    const [line] = problems('network:\n  layers: [4, 4]\n  activation: [tanh, { name: coss, frequency: 2 }]\n');
    expect(line).toMatch(/^scene\.yaml:3:\d+: network\.activation\[1\]\.name: "coss" is not allowed \(did you mean "cos"\?\)/);
  });

  it('unknown keys, with the keys allowed there', () => {
    const [line] = problems('name: a\nnetwrok:\n  inputs: [x]\n');
    expect(line).toMatch(/^scene\.yaml:2:1: netwrok: unknown key "netwrok" \(did you mean "network"\?\); allowed here: name, description, seed/);
  });

  it('wrong types', () => {
    const [line] = problems('output:\n  fps: fast\n');
    expect(line).toBe('scene.yaml:2:3: output.fps: is "fast"; expected a number');
  });

  it('YAML syntax errors', () => {
    const [line] = problems('name: a\nnetwork: [x, y\n');
    expect(line).toMatch(/^scene\.yaml:\d+:\d+: YAML syntax: /);
  });

  it('keyframes out of order and past the end', () => {
    const lines = problems('output: { duration: 4 }\nkeyframes:\n  - { at: 2, zoom: 1 }\n  - { at: 1, zoom: 2 }\n  - { at: 5, zoom: 3 }\n');
    expect(lines).toContain('scene.yaml:4:7: keyframes[1].at: must be later than the keyframe before it (keyframes are in time order)');
    expect(lines).toContain('scene.yaml:5:7: keyframes[2].at: is past the end of the video (4 s)');
  });

  it('unknown easing names', () => {
    const [line] = problems('keyframes:\n  - { at: 0, zoom: 1, ease: wobbly }\n');
    expect(line).toMatch(/^scene\.yaml:2:\d+: keyframes\[0\]\.ease: "wobbly" is not an easing; use one of linear, hold, in-sine/);
  });

  it('impossible sizes', () => {
    expect(problems('output: { size: [0, 512] }\n')[0]).toMatch(/output\.size\[0\]: is number 0; it must be at least 1/);
    expect(problems('output: { size: 99999x99999 }\n')[0]).toMatch(/output\.size: each side must be between 1 and 16384 pixels/);
    expect(problems('output: { size: [16000, 16000] }\n')[0]).toMatch(/output\.size: 16000x16000 is more than 64 megapixels/);
  });

  it('absurd frame counts', () => {
    expect(problems('output: { fps: 120, duration: 3600 }\n')[0]).toMatch(/output\.duration: 432000 frames is more than the limit of 100000/);
  });

  it('an activation list that does not match the layers', () => {
    expect(problems('network:\n  layers: { depth: 3, width: 8 }\n  activation: [tanh, cos]\n')[0]).toMatch(/network\.activation: gives 2 activations but the network has 3 hidden layers/);
  });
});
