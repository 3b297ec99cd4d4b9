import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPng, rgbStats, runCli, tempDir } from './helpers.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

/** The RGBA of a w×h window of an image, for looking at one part of a sheet. */
function crop(png: { width: number; data: Uint8ClampedArray }, x: number, y: number, w: number, h: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let row = 0; row < h; row++) out.set(png.data.subarray(((y + row) * png.width + x) * 4, ((y + row) * png.width + x + w) * 4), row * w * 4);
  return out;
}

/** How many pixels are close to an #rrggbb colour. */
function countColour(data: Uint8ClampedArray, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 30) n++;
  return n;
}

const warnings = (stderr: string): number => stderr.split('\n').filter((l) => l.startsWith('warning: grey goo')).length;

describe('cppn-motion activations', () => {
  it('draws every activation, and only the chosen ones with --only', async () => {
    const all = join(dir.path, 'activations.png');
    const some = join(dir.path, 'two.png');
    const [full, two] = await Promise.all([runCli(['activations', '--out', all]), runCli(['activations', '--only', 'tanh,cos', '--out', some])]);
    expect(full.code, full.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(full.stderr).toContain(`wrote ${all}`);
    const [sheet, pair] = [await readPng(all), await readPng(some)];
    // 16 panels, four to a row; two panels side by side.
    expect(sheet.width).toBeGreaterThan(pair.width * 1.5);
    expect(sheet.height).toBeGreaterThan(pair.height * 3);
    expect(pair.width).toBeGreaterThan(pair.height * 2);
    for (const png of [sheet, pair]) {
      expect(rgbStats(png.data).std).toBeGreaterThan(20);
      // The curves (f blue, f′ orange) and the histograms (teal) are drawn.
      expect(countColour(png.data, '#2f6db5')).toBeGreaterThan(1000);
      expect(countColour(png.data, '#e0782a')).toBeGreaterThan(500);
      expect(countColour(png.data, '#4f9a8f')).toBeGreaterThan(5000);
    }
  });

  it('rejects an unknown activation with a suggestion and exit code 2', async () => {
    const out = join(dir.path, 'bad.png');
    const result = await runCli(['activations', '--only', 'tanh,coss', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"coss" is not an activation (did you mean "cos"?); use any of sigmoid, tanh');
    expect(existsSync(out)).toBe(false);
  });
});

describe('cppn-motion inspect', () => {
  it('prints a row per layer and warns once about grey goo, with a reason and a fix', async () => {
    const result = await runCli(['inspect', 'scenes/grey-goo.yaml', '--at', '2.5']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('grey-goo at 2.5 s, computed in float64 at 256x256 (the scene renders at 512x512');
    const rows = result.stdout.split('\n').filter((l) => /^\d+( \(output\))?\s+(tanh|sigmoid)\s/.test(l));
    expect(rows).toHaveLength(9);
    expect(rows[8]).toMatch(/^9 \(output\)\s+sigmoid\s+1\s/);
    expect(result.stdout).toMatch(/output std per channel \(0–1 colour scale\): value [0-9.e-]+/);
    expect(warnings(result.stderr)).toBe(1);
    expect(result.stderr).toContain('why: the variation across the image fades layer by layer');
    expect(result.stderr).toContain('network.init: { normal: { std: 1 } }');
  });

  it('gives the same statistics as JSON, with no warning for normal(0, 1) weights', async () => {
    const result = await runCli(['inspect', 'scenes/normal-1.yaml', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(warnings(result.stderr)).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.sampledSize).toEqual({ width: 256, height: 256 });
    expect(report.layers).toHaveLength(9);
    expect(report.layers[0]).toMatchObject({ layer: 1, role: 'hidden', activation: 'tanh', family: 'tanh-like', units: 16, dead: null });
    for (const layer of report.layers.slice(0, 8)) {
      expect(layer.saturated).toBeGreaterThanOrEqual(0);
      expect(layer.saturated).toBeLessThanOrEqual(1);
      expect(layer.pixelStd).toBeGreaterThan(0.3);
    }
    expect(report.outputStd[0]).toBeGreaterThan(0.2);
    expect(report.greyGoo).toBeNull();
  });

  it('reports dead relu units', async () => {
    const report = JSON.parse((await runCli(['inspect', 'scenes/relu.yaml', '--json', '--size', '64'])).stdout);
    expect(report.sampledSize).toEqual({ width: 64, height: 64 });
    expect(report.layers[0].family).toBe('relu-like');
    expect(report.layers[0].saturated).toBeNull();
    expect(report.layers.slice(0, 8).some((l: { dead: number }) => l.dead > 0)).toBe(true);
  });

  it('draws every unit\'s image with --maps: one row per layer, one tile per unit', async () => {
    const out = join(dir.path, 'maps.png');
    const result = await runCli(['inspect', 'scenes/artsy.yaml', '--maps', out, '--tile', '32', '--size', '32']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`wrote ${out}`);
    const png = await readPng(out);
    // 16 tiles of 32 px side by side, 9 rows (8 hidden layers and the output) of at least 32 px.
    expect(png.width).toBeGreaterThan(16 * 32);
    expect(png.height).toBeGreaterThan(9 * 32);
    expect(rgbStats(png.data).std).toBeGreaterThan(40);
  });

  it('never writes the maps over a scene given after --maps', async () => {
    const before = readFileSync('scenes/grey-goo.yaml', 'utf8');
    const result = await runCli(['inspect', '--maps', 'scenes/grey-goo.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--maps scenes/grey-goo.yaml: the maps are written as a .png file');
    expect(readFileSync('scenes/grey-goo.yaml', 'utf8')).toBe(before);
  });
});

describe('cppn-motion still warns about grey goo', () => {
  it('once for the write-ups\' grey goo, never for normal(0, 1)', async () => {
    const goo = await runCli(['still', 'scenes/grey-goo.yaml', '--size', '32x32', '--out', join(dir.path, 'goo.png')]);
    expect(goo.code).toBe(0);
    expect(warnings(goo.stderr)).toBe(1);
    expect(goo.stderr).toMatch(/try \(each checked on a small preview\): network\.init: \{ normal: \{ std: 1 \} \}/);
    const fine = await runCli(['still', 'scenes/normal-1.yaml', '--size', '32x32', '--out', join(dir.path, 'fine.png')]);
    expect(fine.code).toBe(0);
    expect(fine.stderr).not.toContain('warning');
  });
});

describe('cppn-motion compare', () => {
  it('renders scenes side by side with labels', async () => {
    const out = join(dir.path, 'compare.png');
    const result = await runCli(['compare', 'scenes/grey-goo.yaml', 'scenes/normal-1.yaml', 'scenes/deep-16.yaml', '--size', '160x160', '--label', 'PyTorch default', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`wrote ${out}`);
    const png = await readPng(out);
    // Three 160 px stills in a row, captions below.
    expect(png.width).toBeGreaterThan(3 * 160);
    expect(png.width).toBeLessThan(3 * 160 + 200);
    expect(png.height).toBeGreaterThan(160 + 20);
    // The middle of each cell: flat grey goo, then two structured pictures.
    const cell = (i: number) => rgbStats(crop(png, 20 + i * 180 + 60, 80, 40, 40)).std;
    expect(cell(0)).toBeLessThan(1);
    expect(cell(1)).toBeGreaterThan(10);
    expect(cell(2)).toBeGreaterThan(10);
  });

  it('needs two or more scenes', async () => {
    const result = await runCli(['compare', 'scenes/grey-goo.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('compare needs two or more scene files');
  });
});
