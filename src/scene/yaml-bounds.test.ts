import { describe, expect, it } from 'vitest';
import { sceneProblems as problems } from '../../test/scene-problems.js';
import { parseSceneText, SCENE_FILE_LIMIT, validateSceneData } from './load.js';

describe('YAML: what it allows is accepted, what is absurd is refused with a located message', () => {
  it('merge keys copy a mapping (here a keyframe)', () => {
    const { data, source } = parseSceneText('name: m\nkeyframes:\n  - &start { at: 0, seed: 1, zoom: 1 }\n  - { <<: *start, at: 1, zoom: 2 }\n', 'scene.yaml');
    const scene = validateSceneData(data, source);
    expect(scene.keyframes[1]).toMatchObject({ at: 1, seed: 1, zoom: 2 });
  });

  it('an alias to no anchor is located', () => {
    expect(problems('name: a\nkeyframes:\n  - { at: 0, seed: *nope }\n')).toEqual(['scene.yaml:3:20: *nope refers to no anchor; define &nope before it is used']);
  });

  it('an alias bomb is refused, located', () => {
    const levels = ['a: &a [x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 8; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(',')}]`);
    const [line] = problems(`${levels.join('\n')}\n`);
    expect(line).toMatch(/^scene\.yaml:2:\d+: aliases expand too far/);
  });

  it('an unquoted cubic-bezier inside { } is detected and the fix named', () => {
    const [line] = problems('name: b\nkeyframes:\n  - { at: 0, zoom: 1 }\n  - { at: 1, zoom: 2, ease: cubic-bezier(0.2, 0.8, 0.3, 1) }\n');
    expect(line).toMatch(/^scene\.yaml:4:\d+: ease: cubic-bezier\(…\) was split at its commas by YAML .*put it in quotes: ease: "cubic-bezier\(0\.2, 0\.8, 0\.3, 1\)"/);
  });

  it('a scene file above the size limit, or with hundreds of thousands of values, is refused before it is parsed', () => {
    expect(problems(`name: big\ndescription: "${'x'.repeat(SCENE_FILE_LIMIT)}"\n`)[0]).toMatch(/scene files may be at most 4 MB/);
    expect(problems(`name: many\nk: [${'1,'.repeat(400_000)}1]\n`)[0]).toMatch(/^scene\.yaml:1:1: the scene has far more than 150000 values/);
  });
});

describe('numbers and sizes the renderer cannot use are refused, every problem at once', () => {
  it('a scale beyond float32, a GIF size of 0x0 and one of 99999x1, all in one message', () => {
    const lines = problems('name: f\noutput:\n  size: "0x0"\n  gif: { size: "99999x1" }\nnetwork:\n  scale: 1e39\n');
    expect(lines).toEqual([
      expect.stringMatching(/^scene\.yaml:6:\d+: network\.scale: 1e\+39 is beyond the renderer's range \(32-bit floats, at most ±3\.4e38\)$/),
      expect.stringMatching(/^scene\.yaml:3:\d+: output\.size: each side must be between 1 and 16384 pixels$/),
      expect.stringMatching(/^scene\.yaml:4:\d+: output\.gif\.size: each side must be between 1 and 16384 pixels$/),
      expect.stringMatching(/^scene\.yaml:3:\d+: output\.size: 0x0 is too small for mp4/),
    ]);
  });

  it('a weights file with a value beyond float32 is refused', async () => {
    const { weightsFromJson } = await import('./weights-file.js');
    expect(() => weightsFromJson({ layers: [{ weight: [[1e39]], bias: [0] }] }, 'w.json')).toThrow(/within float32's range/);
  });
});

describe('a union of fixed values lists every allowed value', () => {
  it('channels: 2 and loop: yes-please', () => {
    expect(problems('name: a\nloop: yes-please\nnetwork:\n  output: { channels: 2 }\n')).toEqual([
      'scene.yaml:2:1: loop: "yes-please" is not allowed; use one of: true, false, ping-pong',
      'scene.yaml:4:13: network.output.channels: number 2 is not allowed; use one of: 1, 3',
    ]);
  });
});

describe('the message blames the right value', () => {
  it('an easing typo gets a "did you mean"', () => {
    const lines = problems('name: e\nkeyframes:\n  - { at: 0, zoom: 1 }\n  - { at: 1, zoom: 2, ease: in-out-sin }\n');
    expect(lines[0]).toMatch(/^scene\.yaml:4:\d+: keyframes\[1\]\.ease: "in-out-sin" is not an easing \(did you mean "in-out-sine"\?\)/);
  });

  it('a frame rate so low that no frame fits blames the frame rate, not the duration', () => {
    const lines = problems('name: f\noutput: { fps: 1e-300, duration: 2 }\n');
    expect(lines).toEqual([expect.stringMatching(/^scene\.yaml:2:\d+: output\.fps: gives no frames in 2 s$/)]);
  });
});

describe('every problem of a scene at once', () => {
  it('a field typo, an easing typo and a keyframe past the end arrive together', () => {
    const lines = problems('name: a\nnetwork:\n  activation: tanhh\nkeyframes:\n  - { at: 0, seed: 1, ease: in-out-sin }\n  - { at: 99, seed: 2 }\n');
    expect(lines).toEqual([
      expect.stringMatching(/^scene\.yaml:3:3: network\.activation: "tanhh" is not allowed/),
      expect.stringMatching(/^scene\.yaml:5:\d+: keyframes\[0\]\.ease: "in-out-sin" is not an easing \(did you mean "in-out-sine"\?\)/),
      expect.stringMatching(/^scene\.yaml:6:\d+: keyframes\[1\]\.at: is past the end of the video \(6 s\)$/),
    ]);
  });
});
