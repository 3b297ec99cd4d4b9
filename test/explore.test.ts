/**
 * `cppn-motion explore` as a user runs it: variations written as scene files
 * that validate and render, the same bytes for the same --seed, comments
 * kept, a labelled contact sheet, and clear refusals of bad input.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStill } from '../src/render/still.js';
import { applyOverrides, loadScene } from '../src/scene/index.js';
import { start } from './cli-process.js';
import { readPng, runCli, tempDir } from './helpers.js';
import { FULL_TIER_ONLY } from './tier.js';

const SCENE = `# An explorer's starting point.
name: seedling   # outputs are named after this
output: { size: [40, 40], fps: 10, duration: 2 }
network:
  inputs: [x, y, r, t]   # t: time
  layers: { depth: 3, width: 6 }
  activation: tanh
  output: { channels: 1 }
colour: { palette: viridis }
keyframes:
  - { at: 0, seed: 1, zoom: 1.2 }
  - { at: 1, seed: 2, zoom: 0.8 }   # the turn
`;

/** A scene whose pictures take a while (a deep, wide network), so a signal comes while the sheet renders. */
const SLOW = `name: slow
output: { size: [256, 256], fps: 10, duration: 2 }
network:
  inputs: [x, y, r, t]
  layers: { depth: 16, width: 96 }
  output: { channels: 3, activation: sigmoid }
keyframes:
  - { at: 0, seed: 1 }
  - { at: 1, seed: 2 }
`;

describe('explore on the command line', () => {
  let dir: ReturnType<typeof tempDir>;
  let scene: string;

  beforeAll(() => {
    dir = tempDir();
    scene = join(dir.path, 'seedling.yaml');
    writeFileSync(scene, SCENE);
  });
  afterAll(() => dir?.remove());

  const explore = (args: string[]) => runCli(['explore', scene, ...args], { cwd: dir.path });
  const files = (folder: string): string[] => readdirSync(join(dir.path, folder)).filter((f) => f.endsWith('.yaml')).sort();

  it('writes 8 variations that validate and render, each a change of the original text, and a labelled contact sheet', async () => {
    const result = await explore(['--seed', '11', '--out', 'a']);
    expect(result.code, result.stderr).toBe(0);
    const written = files('a');
    expect(written).toHaveLength(8);
    expect(result.stdout + result.stderr).toMatch(/wrote a\/seedling-1-\w+\.yaml {2}\(.+\)/);
    const pictures = new Set<string>();
    for (const name of written) {
      const path = join(dir.path, 'a', name);
      // `validate`'s own loader: it throws on any problem.
      const loaded = loadScene(path);
      expect(loaded.warnings, name).toEqual([]);
      const text = readFileSync(path, 'utf8');
      expect(text).toContain("# An explorer's starting point.");
      expect(text).toContain('# the turn');
      // Its own name, so rendering it never overwrites the original's outputs.
      expect(text).toContain(`name: ${name.replace('.yaml', '')}   # outputs are named after this`);
      const still = await renderStill(applyOverrides(loaded, { size: [16, 16] }), { at: 0.5, workers: 1 });
      pictures.add(Buffer.from(still.data).toString('base64'));
    }
    // Eight different pictures.
    expect(pictures.size).toBe(8);
    const sheet = await readPng(join(dir.path, 'a', 'seedling-explore.png'));
    expect(sheet.width).toBeGreaterThan(3 * 40);
    expect(sheet.height).toBeGreaterThan(3 * 40);
  });

  it('writes the same bytes for the same --seed, and other variations for another', async () => {
    expect((await explore(['--seed', '11', '--out', 'b'])).code).toBe(0);
    expect((await explore(['--seed', '12', '--out', 'c', '--strength', '0.6', '--at', '1.5'])).code).toBe(0);
    const [a, b, c] = ['a', 'b', 'c'].map((f) => files(f).map((name) => readFileSync(join(dir.path, f, name), 'utf8').replace(/name: seedling-\d+-\w+/, '')));
    expect(files('b')).toEqual(files('a'));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(readFileSync(join(dir.path, 'b', 'seedling-explore.png')).equals(readFileSync(join(dir.path, 'a', 'seedling-explore.png')))).toBe(true);
  });

  it('keeps weights paths leading to the same files from another folder', async () => {
    mkdirSync(join(dir.path, 'w'), { recursive: true });
    const weights = await runCli(['weights', 'export', scene, '--seed', '3'], { stdoutFile: join(dir.path, 'w', 'three.json') });
    expect(weights.code, weights.stderr).toBe(0);
    const fromFile = join(dir.path, 'from-file.yaml');
    writeFileSync(fromFile, SCENE.replace('  - { at: 0, seed: 1, zoom: 1.2 }', '  - { at: 0, weights: w/three.json, zoom: 1.2 }').replace(/ {2}- \{ at: 1, seed: 2.*\n/, '  - { at: 1, zoom: 0.8 }\n'));
    const result = await runCli(['explore', fromFile, '--seed', '5', '--count', '3', '--out', 'deep/er'], { cwd: dir.path });
    expect(result.code, result.stderr).toBe(0);
    for (const name of readdirSync(join(dir.path, 'deep', 'er')).filter((f) => f.endsWith('.yaml'))) {
      expect(readFileSync(join(dir.path, 'deep', 'er', name), 'utf8')).toContain('weights: ../../w/three.json');
      expect(loadScene(join(dir.path, 'deep', 'er', name)).library.size).toBe(1);
    }
  });

  it.each([
    [['--count', '0'], '"0" must be a whole number from 1 to 64'],
    [['--count', 'many'], '"many" must be a whole number from 1 to 64'],
    [['--strength', '0'], '"0" must be a number above 0 and at most 1'],
    [['--strength', '2'], '"2" must be a number above 0 and at most 1'],
    [['--at', '-1'], '"-1" is not a number of 0 or more'],
    [['--at', '9'], '--at 9 is past the end of'],
    [['--seed', '1.5'], '"1.5" must be a whole number'],
  ])('refuses %j with exit code 2 and says what is allowed', async (args, message) => {
    const result = await explore([...args, '--out', 'never']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a missing scene, one that does not validate, and an --out that would overwrite earlier variations', async () => {
    const missing = await runCli(['explore', join(dir.path, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml does not exist');
    const broken = join(dir.path, 'broken.yaml');
    writeFileSync(broken, SCENE.replace('activation: tanh', 'activation: tanhh'));
    const invalid = await runCli(['explore', broken, '--out', 'never']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/broken\.yaml:7:\d+: network\.activation/);
    const before = readFileSync(join(dir.path, 'a', files('a')[0]), 'utf8');
    const again = await explore(['--seed', '99', '--out', 'a']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists already; explore writes new files only');
    expect(readFileSync(join(dir.path, 'a', files('a')[0]), 'utf8')).toBe(before);
    const onFile = await explore(['--out', 'seedling.yaml']);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toContain('is a file; explore writes a folder');
    expect(readdirSync(dir.path)).not.toContain('never');
  });

  it('Ctrl-C stops it with exit code 130, and none of its files appear', async () => {
    const slow = join(dir.path, 'slow.yaml');
    writeFileSync(slow, SLOW);
    const run = start(['explore', slow, '--seed', '3', '--out', 'stopped'], dir.path);
    await run.waitFor(/exploring/);
    run.child.kill('SIGINT');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toContain('stopped: interrupted by SIGINT');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir.path, 'stopped'))).toBe(false);
  });

  // Full tier: an interrupted run leaving none of its files is checked above (Ctrl-C); the clean-up of a killed run in faults.test.ts.
  it('a run killed while its sheet renders leaves nothing under the final names: the same command runs again', FULL_TIER_ONLY, async () => {
    const slow = join(dir.path, 'slow.yaml');
    writeFileSync(slow, SLOW);
    const run = start(['explore', slow, '--seed', '3', '--out', 'killed'], dir.path);
    await run.waitFor(/exploring/);
    // Long enough for the scene files to be written; the sheet's pictures take longer.
    await new Promise((done) => setTimeout(done, 1000));
    run.child.kill('SIGKILL');
    await run.exited;
    const names = existsSync(join(dir.path, 'killed')) ? readdirSync(join(dir.path, 'killed')) : [];
    expect(names.filter((name) => !name.startsWith('.'))).toEqual([]);
    const again = await runCli(['explore', slow, '--seed', '3', '--out', 'killed', '-q'], { cwd: dir.path });
    expect(again.code, again.stderr).toBe(0);
    // The killed run's temporary files are gone too.
    expect(readdirSync(join(dir.path, 'killed')).filter((name) => name.startsWith('.'))).toEqual([]);
    expect(files('killed')).toHaveLength(8);
  });

  it.skipIf(process.platform === 'win32')('refuses a scene that is a named pipe or a folder with exit code 2, in words, without waiting', async () => {
    const pipe = join(dir.path, 'pipe.yaml');
    expect(spawnSync('mkfifo', [pipe]).status).toBe(0);
    const fromPipe = await runCli(['explore', pipe, '--out', 'never']);
    expect(fromPipe.code).toBe(2);
    expect(fromPipe.stderr).toContain('pipe.yaml is a named pipe, not a regular file');
    const folder = join(dir.path, 'folder.yaml');
    mkdirSync(folder);
    const fromFolder = await runCli(['explore', folder, '--out', 'never']);
    expect(fromFolder.code).toBe(2);
    expect(fromFolder.stderr).toContain('folder.yaml is a folder, not a regular file');
    for (const result of [fromPipe, fromFolder]) expect(result.stderr).not.toMatch(/\n\s+at |EISDIR/);
  });
});
