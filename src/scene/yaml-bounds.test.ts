import { readFileSync } from 'node:fs';
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

  it('an alias bomb is refused, located at the alias that expands too far', () => {
    const levels = ['a: &a [x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 8; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(',')}]`);
    const [line] = problems(`${levels.join('\n')}\n`);
    expect(line).toMatch(/^scene\.yaml:6:\d+: aliases expand too far: with every alias and merge expanded, the scene holds more than 150000 values/);
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

describe('YAML at its edges: every case a located message, quickly, never an engine error', () => {
  it('an alias inside the value it names (a: &a [*a]) is refused, located, instead of recursing without end', () => {
    const inside = /^scene\.yaml:1:\d+: \*a is inside the value &a names, so that value would contain itself without end/;
    expect(problems('a: &a [*a]\n')).toEqual([expect.stringMatching(inside)]);
    expect(problems('a: &a { b: *a }\n')).toEqual([expect.stringMatching(inside)]);
    expect(problems('a: &a { <<: *a }\n')).toEqual([expect.stringMatching(inside)]);
  });

  it('nesting deeper than the limit is named as such, located, whether or not the parser copes with it', () => {
    const deep = (levels: number): string => `name: d\na: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;
    expect(problems(deep(100))).toEqual([expect.stringMatching(/^scene\.yaml:2:\d+: lists and mappings nest more than 64 levels deep here; a scene needs a few levels$/)]);
    for (const text of [deep(20_000), `name: d\na:\n  ${'- '.repeat(20_000)}x\n`, `name: d\n${Array.from({ length: 1500 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} v\n`]) {
      const lines = problems(text);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^scene\.yaml:\d+:\d+: lists and mappings nest far more than 64 levels deep here/);
      expect(lines[0]).not.toMatch(/call stack/i);
    }
    // The deepest structure a scene has is well within the limit.
    expect(problems(readFileSync('scenes/series.yaml', 'utf8'))).toEqual([]);
  });

  it('a merge of anything but mappings (<<: [1, 2], <<: 5) says what a merge takes, located', () => {
    expect(problems('name: m\n<<: [1, 2]\n')).toEqual(['scene.yaml:2:5: <<: merges the keys of mappings into this one (<<: *base, or <<: [*a, *b]); the list holds 1, which is not a mapping']);
    expect(problems('name: m\n<<: 5\n')).toEqual(['scene.yaml:2:5: <<: merges the keys of mappings into this one (<<: *base, or <<: [*a, *b]); 5 is not a mapping']);
    expect(problems('a: &a [1]\nname: m\n<<: *a\n')).toEqual([expect.stringMatching(/^scene\.yaml:3:5: <<: merges .*; the list holds 1, which is not a mapping$/)]);
    // Merging mappings still works, one or several.
    const { data } = parseSceneText('x: &x { name: a }\ny: &y { seed: 3 }\nz: { <<: [*x, *y] }\n', 'scene.yaml');
    expect((data as { z: unknown }).z).toEqual({ name: 'a', seed: 3 });
  });

  it('tags a scene has no use for (!!binary, !!set, !!timestamp, !custom) and tags that do not fit are named, not described as "a mapping"', () => {
    for (const tag of ['!!binary aGVsbG8=', '!!set { a, b }', '!!omap [a: 1]', '!!timestamp 2001-12-14', '!custom x']) {
      const [line, ...rest] = problems(`name: ${tag}\n`);
      expect(rest).toEqual([]);
      expect(line).toMatch(new RegExp(`^scene\\.yaml:1:\\d+: the tag ${tag.split(' ')[0]} has no meaning in a scene \\(a scene holds text, numbers, true/false, lists and mappings\\); remove it$`));
    }
    expect(problems('name: t\nseed: !!int x\n')).toEqual(['scene.yaml:2:7: the tag !!int does not fit this value; remove the tag']);
    expect(problems('name: !!str 3\nseed: !!int 3\n')).toEqual([]);
  });

  it('a list or a mapping as a key is refused, located (it would be turned into text, with a warning on the terminal)', () => {
    expect(problems('name: k\n? [1, 2]\n: 3\n')).toEqual(['scene.yaml:2:3: a key must be plain text, not a list or a mapping']);
  });

  it('a key given twice is located at its second place, also in a mapping of 30 000 keys (checked in linear time)', () => {
    expect(problems('name: a\nseed: 1\nname: b\n')).toEqual(['scene.yaml:3:1: "name" appears twice in this mapping (first at line 1); keep one']);
    const many = `name: m\ndescription: {${Array.from({ length: 30_000 }, (_, i) => `k${i}: 1`).join(',')}}\n`;
    const started = performance.now();
    expect(problems(many)).toEqual([expect.stringMatching(/^scene\.yaml:2:\d+: description: is a mapping; expected text$/)]);
    expect(performance.now() - started).toBeLessThan(8000);
  });

  it('aliases that multiply a small file (60 000 values used 2000 times; a mapping merged 2000 times) are refused at once', () => {
    const list = `name: a\ndescription: &a [${Array(60_000).fill('1').join(',')}]\nx: [${Array(2000).fill('*a').join(',')}]\n`;
    const map = `name: m\ndescription: &a {${Array.from({ length: 30_000 }, (_, i) => `k${i}: 1`).join(',')}}\nx: [${Array(2000).fill('{<<: *a}').join(',')}]\n`;
    const text = `name: t\ndescription: &a "${'x'.repeat(1_000_000)}"\nx: [${Array(20).fill('*a').join(',')}]\n`;
    for (const [doc, what] of [[list, '150000 values'], [map, '150000 values'], [text, '8 MB of text']]) {
      const started = performance.now();
      expect(problems(doc)).toEqual([expect.stringMatching(new RegExp(`^scene\\.yaml:3:\\d+: aliases expand too far: with every alias and merge expanded, the scene holds more than ${what}`))]);
      expect(performance.now() - started).toBeLessThan(8000);
    }
  });

  it('a huge key or value is quoted in part, and a long word costs no "did you mean" search', () => {
    const started = performance.now();
    const [value] = problems(`name: v\nnetwork: { activation: "${'q'.repeat(1_000_000)}" }\n`);
    expect(value).toMatch(/^scene\.yaml:2:\d+: network\.activation: "q{60}… \(1000000 characters\)" is not allowed; use one of: sigmoid/);
    const [key] = problems(`name: k\n? "${'k'.repeat(1_000_000)}"\n: 1\n`);
    expect(key).toMatch(/^scene\.yaml:2:3: k{60}… \(1000000 characters\): unknown key "k{60}… \(1000000 characters\)"; allowed here: name/);
    expect(value.length + key.length).toBeLessThan(1000);
    expect(performance.now() - started).toBeLessThan(8000);
  });

  it('odd scalars: .nan and .inf are named as YAML writes them; hexadecimal numbers are numbers', () => {
    expect(problems('name: n\nview: { zoom: .nan }\n')).toEqual(['scene.yaml:2:9: view.zoom: is .nan (not a number); expected a number']);
    expect(problems('name: n\nview: { zoom: -.inf }\n')).toEqual(['scene.yaml:2:9: view.zoom: is -.inf (infinite); expected a number']);
    expect(problems('name: n\nseed: 0x1F\n')).toEqual([]);
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
