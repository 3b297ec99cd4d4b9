import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngMetadata } from '../src/encode/png.js';
import { CLI, distinctColours, readPng, rgbStats, runCli, sha256, tempDir } from './helpers.js';
import { representative } from './tier.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

describe('the command', () => {
  it('is executable, so `npx cppn-motion` runs it directly', () => {
    expect(statSync(CLI).mode & 0o111).not.toBe(0);
  });
});

describe('cppn-motion still', () => {
  it('writes a PNG of the requested size that carries the resolved scene', async () => {
    const out = join(dir.path, 'artsy.png');
    const result = await runCli(['still', 'scenes/artsy.yaml', '--size', '96x64', '--at', '1', '--out', out]);
    expect(result.stderr).toContain(`wrote ${out} (96x64`);
    expect(result.code).toBe(0);
    const png = await readPng(out);
    expect([png.width, png.height]).toEqual([96, 64]);
    const scene = JSON.parse(readPngMetadata(readFileSync(out))!);
    expect(scene.seed).toBe(3);
    expect(scene.output.size).toEqual([96, 64]);
    expect(scene.network.activation).toBe('tanh');
  });

  it('re-renders from a PNG at another size with --from (explore small, print big)', async () => {
    const small = join(dir.path, 'small.png');
    const big = join(dir.path, 'big.png');
    const direct = join(dir.path, 'direct.png');
    await runCli(['still', 'scenes/artsy.yaml', '--size', '32x32', '--seed', '11', '--out', small]);
    const again = await runCli(['still', '--from', small, '--size', '128x128', '--out', big]);
    expect(again.code).toBe(0);
    await runCli(['still', 'scenes/artsy.yaml', '--size', '128x128', '--seed', '11', '--out', direct]);
    expect(sha256((await readPng(big)).data)).toBe(sha256((await readPng(direct)).data));
  });

  it('renders the same pixels every time, with one worker or several', async () => {
    const a = join(dir.path, 'a.png');
    const b = join(dir.path, 'b.png');
    await runCli(['still', 'scenes/normal-1.yaml', '--size', '200x150', '--workers', '1', '--out', a]);
    await runCli(['still', 'scenes/normal-1.yaml', '--size', '200x150', '--workers', '2', '--out', b]);
    expect(sha256((await readPng(a)).data)).toBe(sha256((await readPng(b)).data));
  });

  it('renders a network from a weights file exactly as from its seed (weights export)', async () => {
    const exported = await runCli(['weights', 'export', 'scenes/artsy.yaml', '--seed', '5']);
    expect(exported.code).toBe(0);
    const weights = JSON.parse(exported.stdout);
    expect(weights.layers).toHaveLength(9);
    expect(weights.layers[0].weight).toHaveLength(16); // rows = outputs
    expect(weights.layers[0].weight[0]).toHaveLength(3); // columns = inputs x, y, r
    writeFileSync(join(dir.path, 'w.json'), exported.stdout);
    const scene = readFileSync('scenes/artsy.yaml', 'utf8').replace(/^seed: \d+$/m, 'weights: w.json').replace('name: artsy', 'name: from-file');
    writeFileSync(join(dir.path, 'from-file.yaml'), scene);
    const fromFile = join(dir.path, 'from-file.png');
    const fromSeed = join(dir.path, 'from-seed.png');
    expect((await runCli(['still', join(dir.path, 'from-file.yaml'), '--size', '64x64', '--out', fromFile])).code).toBe(0);
    await runCli(['still', 'scenes/artsy.yaml', '--size', '64x64', '--seed', '5', '--out', fromSeed]);
    expect(sha256((await readPng(fromFile)).data)).toBe(sha256((await readPng(fromSeed)).data));
  });

  it('reproduces the write-ups: grey goo is flat, normal(0, 1) is not', async () => {
    const stats: Record<string, { mean: number; std: number }> = {};
    for (const name of ['grey-goo', 'normal-1']) {
      const out = join(dir.path, `${name}.png`);
      await runCli(['still', `scenes/${name}.yaml`, '--size', '128x128', '--out', out]);
      stats[name] = rgbStats((await readPng(out)).data);
    }
    expect(stats['grey-goo'].std).toBeLessThan(1);
    expect(stats['normal-1'].std).toBeGreaterThan(40);
  });

  it('reproduces the write-ups: ±100 weights give hard-edged blobs, the zoomed ±100 network flat blocks', async () => {
    const blobs = join(dir.path, 'u100.png');
    await runCli(['still', 'scenes/uniform-100.yaml', '--size', '128x128', '--out', blobs]);
    const data = (await readPng(blobs)).data;
    let saturated = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] <= 2 || data[i] >= 253) saturated++;
    expect(saturated / (data.length / 4)).toBeGreaterThan(0.95);
    const mondrian = join(dir.path, 'mondrian.png');
    await runCli(['still', 'scenes/mondrian.yaml', '--size', '128x128', '--out', mondrian]);
    const blocks = (await readPng(mondrian)).data;
    // Saturated RGB: a handful of flat colours, most pixels in the eight corners of the cube.
    let corners = 0;
    for (let i = 0; i < blocks.length; i += 4) if ([0, 1, 2].every((c) => blocks[i + c] <= 2 || blocks[i + c] >= 253)) corners++;
    expect(corners / (blocks.length / 4)).toBeGreaterThan(0.95);
    expect(distinctColours(blocks)).toBeGreaterThan(3);
  });

  // The quick tier: the deepest, the widest and a periodic activation.
  const WRITE_UPS = ['deep-16', 'wide-8x32', 'wide-128', 'halving', 'cosine', 'logistic', 'relu', 'artsy'];
  for (const [name, options] of representative(WRITE_UPS, ['deep-16', 'wide-128', 'cosine'])) {
    it(`the write-up scene ${name} renders something that is not flat`, options, async () => {
      const out = join(dir.path, `${name}.png`);
      const result = await runCli(['still', `scenes/${name}.yaml`, '--size', '64x64', '--out', out]);
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      expect(rgbStats((await readPng(out)).data).std, name).toBeGreaterThan(10);
    });
  }
});

describe('mistakes give one clear message and exit code 2', () => {
  it('an unknown activation names the place and the allowed names, with no stack trace', async () => {
    writeFileSync(join(dir.path, 'bad.yaml'), 'name: bad\nnetwork:\n  activation: tanhh\n');
    const result = await runCli(['still', join(dir.path, 'bad.yaml'), '--out', join(dir.path, 'bad.png')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:3:\d+: network\.activation: "tanhh" is not allowed \(did you mean "tanh"\?\); use one of: sigmoid, tanh/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir.path, 'bad.png'))).toBe(false);
  });

  it('a missing scene file, a bad size and a time past the end', async () => {
    const missing = await runCli(['still', 'scenes/nope.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('scene file scenes/nope.yaml does not exist');
    const size = await runCli(['still', 'scenes/artsy.yaml', '--size', '12by12']);
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('"12by12" is not a size; write WIDTHxHEIGHT');
    writeFileSync(join(dir.path, 'once.yaml'), 'name: once\nloop: false\noutput: { duration: 2 }\n');
    const late = await runCli(['still', join(dir.path, 'once.yaml'), '--at', '3']);
    expect(late.code).toBe(2);
    expect(late.stderr).toContain('--at 3 is past the end');
  });

  it('a weights file that does not fit the network is caught by validate, with exit code 2', async () => {
    writeFileSync(join(dir.path, 'tiny.json'), JSON.stringify({ layers: [{ weight: [[1, 2]], bias: [0] }] }));
    writeFileSync(join(dir.path, 'misfit.yaml'), 'name: misfit\nweights: tiny.json\n');
    for (const command of ['validate', 'still']) {
      const result = await runCli([command, join(dir.path, 'misfit.yaml')]);
      expect(result.code, command).toBe(2);
      expect(result.stderr).toMatch(/misfit\.yaml: weights: .*tiny\.json does not fit the scene's network: the network has 9 layers/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--seed on a scene made only of weights files says that it changes nothing', async () => {
    const result = await runCli(['still', 'scenes/weights-morph.yaml', '--seed', '3', '--size', '16x16']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('takes its networks from weights files, so a seed changes nothing');
  });

  it('a failed still leaves an existing output untouched', async () => {
    const out = join(dir.path, 'keep.png');
    writeFileSync(out, 'precious');
    writeFileSync(join(dir.path, 'broken.yaml'), 'name: broken\nweights: does-not-exist.json\n');
    const result = await runCli(['still', join(dir.path, 'broken.yaml'), '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('does-not-exist.json does not exist');
    expect(readFileSync(out, 'utf8')).toBe('precious');
  });
});
