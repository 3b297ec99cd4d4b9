/**
 * Output names a user may give or a scene may make: empty, a folder, dots,
 * other alphabets, a % sign, an extension; and flags that would do nothing.
 * Every case checks the exit code and the message, and that nothing is
 * written where it should not be. (Full disks and read-only places are in
 * faults.test.ts.)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, smallScene, snapshot, temporaries, useSceneFolder, writeScene } from './helpers.js';

const SCENE = smallScene('fault');
const ROOT_SCENES = join(ROOT, 'scenes');

const scratch = useSceneFolder('fault', SCENE);

describe('odd output names', () => {
  it('an empty --out is refused by every command that takes one, and nothing is written', async () => {
    const { mkdirSync, readdirSync: list } = await import('node:fs');
    const work = join(scratch.dir, 'empty-out');
    mkdirSync(work);
    const commands: string[][] = [
      ['render', scratch.scene, '--format', 'gif'],
      ['still', scratch.scene],
      ['batch', scratch.scene, '--seeds', '1'],
      ['compare', scratch.scene, scratch.scene],
      ['fit', join(ROOT_SCENES, 'targets', 'logo.png'), '--steps', '1'],
      ['activations'],
      ['inspect', scratch.scene, '--maps'],
      ['weights', 'export', scratch.scene],
    ];
    for (const args of commands) {
      const result = await runCli([...args, '--out', ''], { cwd: work });
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/option '--out <[^>]+>' argument '' is invalid\. give a path \(a file, or a folder ending in \/\)/);
      expect(list(work), args[0]).toEqual([]);
    }
  });

  it('--out ending in / is a folder, made if need be, that gets the file under its usual name', async () => {
    const { existsSync } = await import('node:fs');
    const work = join(scratch.dir, 'folder-out');
    const cases: Array<[string[], string]> = [
      [['still', scratch.scene, '--size', '16x16'], 'fault.png'],
      [['compare', scratch.scene, scratch.scene, '--size', '16x16'], 'compare.png'],
      [['activations', '--only', 'tanh'], 'activations.png'],
      [['inspect', scratch.scene, '--maps', '--tile', '8'], 'fault-maps.png'],
      [['weights', 'export', scratch.scene], 'fault.json'],
      [['render', scratch.scene, '--format', 'gif', '--size', '16x16'], 'fault.gif'],
      [['fit', join(ROOT_SCENES, 'targets', 'logo.png'), '--steps', '2', '--size', '8x8', '--workers', '1'], 'logo-fitted.png'],
    ];
    for (const [args, file] of cases) {
      const folder = join(work, args[0], 'sub');
      const result = await runCli([...args, '--out', `${folder}/`, '-q'].filter((a) => !(args[0] === 'weights' && a === '-q')));
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(0);
      expect(existsSync(join(folder, file)), `${args[0]}: ${file}`).toBe(true);
    }
  });

  it('a run that fails leaves no folder it made behind', async () => {
    const { chmodSync, existsSync, writeFileSync } = await import('node:fs');
    const broken = join(scratch.dir, 'ffmpeg-broken');
    writeFileSync(broken, '#!/bin/sh\necho "simulated encoder failure" >&2\nexit 1\n');
    chmodSync(broken, 0o755);
    const result = await runCli(['render', scratch.scene, '--format', 'mp4', '--out', join(scratch.dir, 'never', 'made', 'x'), '-q'], { env: { FFMPEG_PATH: broken } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/simulated encoder failure/);
    expect(existsSync(join(scratch.dir, 'never'))).toBe(false);
  });

  it('a scene without name: whose file name cannot name outputs (..yaml, ...yaml, a:b.yaml) is refused; nothing is written', async () => {
    const { existsSync, mkdirSync } = await import('node:fs');
    const work = join(scratch.dir, 'dots');
    mkdirSync(work);
    const nameless = SCENE.replace('name: fault\n', '');
    for (const file of ['..yaml', '...yaml', 'a:b.yaml']) {
      const path = join(work, file);
      (await import('node:fs')).writeFileSync(path, nameless);
      const stem = file.slice(0, -'.yaml'.length);
      for (const args of [['render', path, '--format', 'gif'], ['batch', path, '--seeds', '1'], ['still', path]]) {
        const result = await runCli(args, { cwd: work });
        expect(result.code, `${args[0]} ${file}: ${result.stderr}`).toBe(2);
        expect(result.stderr).toContain(`error: ${path}: the scene has no name:, and its file name gives "${stem}", which cannot name output files: use letters (of any alphabet), digits, spaces`);
        expect(result.stderr).toContain('add a name: key');
      }
      expect(existsSync(join(work, 'output')), file).toBe(false);
      expect(existsSync(join(work, '.gif'))).toBe(false);
    }
  });

  it('one rule for names, from name: or from the file name: letters of any alphabet pass, unsafe characters do not', async () => {
    const { mkdirSync, readdirSync: list, writeFileSync } = await import('node:fs');
    const work = join(scratch.dir, 'names');
    mkdirSync(work);
    const named = writeScene(work, 'named', SCENE.replace('name: fault', 'name: café crème'));
    const fromFile = join(work, 'naïve 流れ.yaml');
    writeFileSync(fromFile, SCENE.replace('name: fault\n', ''));
    for (const path of [named, fromFile]) {
      const result = await runCli(['render', path, '--format', 'gif', '--size', '16x16', '--out', `${join(work, 'out')}/`, '-q']);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(list(join(work, 'out')).sort()).toEqual(['café crème.gif', 'naïve 流れ.gif']);
    for (const bad of ['a/b', 'a:b', '../up', 'nul']) {
      const path = writeScene(work, 'bad', SCENE.replace('name: fault', `name: "${bad}"`));
      const result = await runCli(['validate', path]);
      expect(result.code, bad).toBe(2);
      expect(result.stderr, bad).toMatch(/bad\.yaml:\d+:\d+: name: (use letters \(of any alphabet\), digits, spaces, "\.", "_" and "-"|"nul" is a device name on Windows)/);
    }
  });

  it("--format png never replaces another tool's frames folder; its own it replaces, and its first frame carries the scene", async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { encodePng } = await import('../src/encode/png.js');
    const work = join(scratch.dir, 'frames');
    mkdirSync(join(work, 'theirs-frames'), { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(work, 'theirs-frames', `frame-0000${i}.png`), encodePng(new Uint8Array(4 * 4 * 4).fill(200), 4, 4));
    const before = snapshot(work);
    const refused = await runCli(['render', scratch.scene, '--format', 'png', '--out', join(work, 'theirs'), '-q']);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/theirs-frames is a folder that this tool did not write; a folder is replaced only when it holds nothing but frames this tool wrote/);
    expect(snapshot(work)).toEqual(before);
    expect(temporaries(work)).toEqual([]);
    for (const size of ['16x16', '24x16']) {
      const ours = await runCli(['render', scratch.scene, '--format', 'png', '--size', size, '--out', join(work, 'ours'), '-q']);
      expect(ours.code, ours.stderr).toBe(0);
    }
    const again = await runCli(['still', '--from', join(work, 'ours-frames', 'frame-00000.png'), '--out', join(work, 'again.png'), '-q']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('render --out with an extension: a format it writes is the stem; one it does not write is refused; others stay in the name', async () => {
    const { existsSync, mkdirSync, readdirSync: list } = await import('node:fs');
    const work = join(scratch.dir, 'ext');
    mkdirSync(work);
    const refused = await runCli(['render', scratch.scene, '--size', '16x16', '--out', join(work, 'x.webp')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`error: --out ${join(work, 'x.webp')} names a webp file, but this render writes mp4, gif\nhint: add --format webp (or webp among the scene's output.formats), or give --out without an extension\n`);
    expect(list(work)).toEqual([]);
    const webp = await runCli(['render', scratch.scene, '--size', '16x16', '--format', 'webp', '--out', join(work, 'x.webp'), '-q']);
    expect(webp.code, webp.stderr).toBe(0);
    const gif = await runCli(['render', scratch.scene, '--size', '16x16', '--format', 'gif,mp4', '--out', join(work, 'y.GIF'), '-q']);
    expect(gif.code, gif.stderr).toBe(0);
    const dotted = await runCli(['render', scratch.scene, '--size', '16x16', '--format', 'gif', '--out', join(work, 'drift.v2'), '-q']);
    expect(dotted.code, dotted.stderr).toBe(0);
    expect(list(work).sort()).toEqual(['drift.v2.gif', 'x.webp', 'y.gif', 'y.mp4']);
    const still = await runCli(['still', scratch.scene, '--out', join(work, 'z.jpg')]);
    expect(still.code).toBe(2);
    expect(still.stderr).toMatch(/--out .*z\.jpg: a still must end in \.png/);
    expect(existsSync(join(work, 'z.jpg'))).toBe(false);
  });
});

describe('flags that do nothing', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['render --store without --redis', ['render', 'SCENE', '--store', 'STORE'], /--store does nothing without --redis: the chunk store is where a cluster's workers leave their chunks/],
    ['batch --store without --redis', ['batch', 'SCENE', '--seeds', '1', '--store', 'STORE'], /--store does nothing without --redis/],
    ['render --gif-max-size without a GIF', ['render', 'SCENE', '--format', 'mp4', '--gif-max-size', '1MB'], /--gif-max-size does nothing when no GIF is written \(this render writes mp4\)/],
    ['batch --colors without a GIF', ['batch', 'SCENE', '--seeds', '1', '--format', 'mp4', '--colors', '16'], /--colors does nothing when no GIF is written/],
    ['batch --dither without a GIF', ['batch', 'SCENE', '--seeds', '1', '--format', 'webm', '--dither', 'bayer'], /--dither does nothing when no GIF is written/],
    ['fit --momentum with Adam', ['fit', 'TARGET', '--momentum', '0.5'], /--momentum does nothing with --optimiser adam/],
    ['inspect --tile without --maps', ['inspect', 'SCENE', '--tile', '32'], /--tile does nothing without --maps/],
    ['inspect --out without --maps or --motion', ['inspect', 'SCENE', '--out', 'OUT'], /--out does nothing without --maps or --motion: the statistics print to the standard output/],
    ['inspect --motion --at', ['inspect', 'SCENE', '--motion', '--at', '0.5'], /--at does nothing with --motion, which measures every frame/],
    ['inspect --motion --size', ['inspect', 'SCENE', '--motion', '--size', '64'], /--size does nothing with --motion/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: exit 2 saying so, nothing written`, async () => {
      const { existsSync, mkdirSync, readdirSync: list } = await import('node:fs');
      const work = join(scratch.dir, 'idle', what.replace(/\W+/g, '-'));
      mkdirSync(work, { recursive: true });
      const full = args.map((a) => ({ SCENE: scratch.scene, STORE: join(work, 'store'), OUT: join(work, 'x.png'), TARGET: join(ROOT_SCENES, 'targets', 'logo.png') })[a] ?? a);
      const result = await runCli([...full, ...(args.includes('OUT') || args[0] === 'inspect' ? [] : ['--out', `${work}/`])], { cwd: work });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/\nhint: /);
      expect(result.stdout).toBe('');
      expect(list(work)).toEqual([]);
      expect(existsSync(join(work, 'store'))).toBe(false);
    });
  }
});
