import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { psnr } from '../src/core/index.js';
import { decodePng, encodePng, pngChunk, readPngMetadata } from '../src/encode/png.js';
import { weightsFromJson } from '../src/scene/index.js';
import { CLI, readPng, runCli, sha256, snapshot, tempDir } from './helpers.js';

const SCENE = `name: disc-fit
seed: 3
output: { size: [64, 64] }
network:
  inputs: [x, y, r]
  layers: { depth: 4, width: 16 }
  activation: tanh
  output: { channels: 3, activation: sigmoid }
keyframes:
  - { at: 0, seed: 3, zoom: 1 }
  - { at: 3, seed: 8, zoom: 2 }
`;

/** An orange disc on a dark blue ground, as a user's PNG would be. */
function discPng(size: number): Buffer {
  const rgba = new Uint8Array(size * size * 4);
  for (let p = 0; p < size * size; p++) {
    const x = ((p % size) + 0.5) / size - 0.5;
    const y = (Math.floor(p / size) + 0.5) / size - 0.5;
    const inside = Math.min(1, Math.max(0, (0.3 - Math.hypot(x, y)) * size + 0.5));
    rgba.set([Math.round(20 + 224 * inside), Math.round(30 + 110 * inside), Math.round(90 - 40 * inside), 255], p * 4);
  }
  return encodePng(rgba, size, size);
}

function picturePsnr(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    sum += ((a[i] - b[i]) / 255) ** 2;
    n++;
  }
  return psnr(sum / n);
}

describe('cppn-motion fit', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(join(dir.path, 'disc.png'), discPng(32));
    writeFileSync(join(dir.path, 'scene.yaml'), SCENE);
  });
  afterAll(() => dir.remove());

  it('writes weights, a picture that re-renders from its metadata, and a chart', async () => {
    const out = join(dir.path, 'out', 'disc.json');
    const result = await runCli(['fit', join(dir.path, 'disc.png'), '--scene', join(dir.path, 'scene.yaml'), '--size', '32x32', '--steps', '250', '--batch', '256', '--workers', '1', '--out', out]);
    expect(result.stderr).toMatch(/step \d+\/250 \| loss [\d.e+-]+ \| PSNR [\d.]+ dB \(best [\d.]+\) \| [\d.]+ steps\/s \| \d+s left/);
    expect(result.stderr).toMatch(/done: 250 steps: PSNR [\d.]+ dB at step \d+/);
    expect(result.code).toBe(0);
    // The weights file is the project's format and fits the scene's network.
    const weights = weightsFromJson(JSON.parse(readFileSync(out, 'utf8')), out);
    expect(weights.layers.map((l) => [l.outputs, l.inputs])).toEqual([[16, 3], [16, 16], [16, 16], [16, 16], [3, 16]]);
    // The picture resembles the target (as the ordinary renderer draws it).
    const picture = await readPng(join(dir.path, 'out', 'disc-fitted.png'));
    const target = await readPng(join(dir.path, 'disc.png'));
    expect(picture.width).toBe(32);
    expect(picturePsnr(picture.data, target.data)).toBeGreaterThan(22);
    // It carries the scene that draws it: the fitted weights, not the keyframes' seeds.
    const stored = JSON.parse(readPngMetadata(readFileSync(join(dir.path, 'out', 'disc-fitted.png')))!);
    expect(stored.weights).toBe(out);
    expect(stored.keyframes).toEqual([{ at: 0, zoom: 1 }, { at: 3, zoom: 2 }]);
    const big = join(dir.path, 'big.png');
    const again = await runCli(['still', '--from', join(dir.path, 'out', 'disc-fitted.png'), '--size', '96x96', '--out', big]);
    expect(again.code).toBe(0);
    expect((await readPng(big)).width).toBe(96);
    const chart = await readPng(join(dir.path, 'out', 'disc-chart.png'));
    expect(chart.width).toBeGreaterThan(600);
  });

  it('without a nonlinearity the network can only draw a ramp; with tanh it draws the disc', async () => {
    // x and y alone (no r): a disc is then out of reach of any linear map.
    const flatScene = join(dir.path, 'xy.yaml');
    writeFileSync(flatScene, SCENE.replace('inputs: [x, y, r]', 'inputs: [x, y]').replace('  activation: tanh\n', '  activation: tanh\n  init: pytorch-default\n'));
    const fit = async (activation: string): Promise<{ psnr: number; start: number }> => {
      const result = await runCli(['fit', join(dir.path, 'disc.png'), '--scene', flatScene, '--size', '32x32', '--steps', '300', '--batch', '256', '--workers', '1', '--activation', activation, '--out', join(dir.path, `${activation}.json`)]);
      expect(result.code).toBe(0);
      const target = await readPng(join(dir.path, 'disc.png'));
      const start = Number(/step 1\/300 \| loss [^|]+\| PSNR ([\d.]+) dB/.exec(result.stderr)?.[1]);
      return { psnr: picturePsnr((await readPng(join(dir.path, `${activation}-fitted.png`))).data, target.data), start };
    };
    const flat = await fit('identity');
    const curved = await fit('tanh');
    // The linear network learned what it can (a ramp towards the disc's colours)…
    expect(flat.psnr).toBeGreaterThan(flat.start + 1);
    // …which stays far from the disc that tanh layers draw from the same start.
    expect(flat.psnr).toBeLessThan(14);
    expect(curved.psnr).toBeGreaterThan(flat.psnr + 6);
    const stored = JSON.parse(readPngMetadata(readFileSync(join(dir.path, 'identity-fitted.png')))!);
    expect(stored.network.activation).toBe('identity');
  });

  it('refuses bad targets and options with a clear message and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['fit', join(dir.path, 'missing.png')], /error: target image .*missing\.png does not exist/],
      [['fit', join(dir.path, 'scene.yaml')], /error: .*scene\.yaml is not an image that can be read/],
      [['fit', join(dir.path, 'disc.png'), '--activation', 'step'], /"step" is not an activation; use any of sigmoid, tanh/],
      [['fit', join(dir.path, 'disc.png'), '--optimiser', 'rmsprop'], /"rmsprop" is not an optimiser; use adam or sgd/],
      [['fit', join(dir.path, 'disc.png'), '--out', join(dir.path, 'w.txt')], /the weights file must end in \.json/],
      [['fit', join(dir.path, 'disc.png'), '--init', join(dir.path, 'scene.yaml')], /--init .*scene\.yaml is not valid JSON/],
      // Refused before any training: a file stands where the output folder would be.
      [['fit', join(dir.path, 'disc.png'), '--out', join(dir.path, 'disc.png', 'w.json')], /cannot write .*disc\.png: a file stands where a folder is needed/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code, args.join(' ')).toBe(2);
    }
  });

  it('Ctrl-C stops the fit, keeps the best weights so far and exits with 130', async () => {
    const out = join(dir.path, 'stopped.json');
    const child = spawn(process.execPath, [CLI, 'fit', join(dir.path, 'disc.png'), '--scene', join(dir.path, 'scene.yaml'), '--size', '32x32', '--steps', '1000000', '--batch', '256', '--workers', '2', '--out', out]);
    let stderr = '';
    const code = await new Promise<number | null>((done) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/step \d+\/1000000/.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('close', done);
    });
    expect(stderr).toMatch(/stopped: interrupted after \d+ steps; kept the best weights: PSNR/);
    expect(code).toBe(130);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(join(dir.path, 'stopped-fitted.png'))).toBe(true);
  });

  it('never writes over its target: the fitted picture has a name of its own', async () => {
    const pics = join(dir.path, 'pics');
    mkdirSync(pics);
    const target = join(pics, 'hi.png');
    writeFileSync(target, discPng(32));
    const before = sha256(readFileSync(target));
    const result = await runCli(['fit', target, '--scene', join(dir.path, 'scene.yaml'), '--size', '16x16', '--steps', '50', '--batch', '64', '--workers', '1', '--out', join(pics, 'hi.json')]);
    expect(result.code, result.stderr).toBe(0);
    expect(sha256(readFileSync(target))).toBe(before);
    expect(readdirSync(pics).sort()).toEqual(['hi-chart.png', 'hi-fitted.png', 'hi.json', 'hi.png']);
    expect(result.stderr).toContain(`wrote ${join(pics, 'hi.json')}, ${join(pics, 'hi-fitted.png')}, ${join(pics, 'hi-chart.png')}`);
  });

  it('refuses, before any training, an --out whose files would replace an input, whatever the spelling', async () => {
    const pics = join(dir.path, 'inputs');
    mkdirSync(pics);
    // The same folder reached through a symbolic link, and through "..".
    symlinkSync(pics, join(dir.path, 'inputs-link'));
    const named = (name: string): string => {
      writeFileSync(join(pics, name), discPng(16));
      return join(pics, name);
    };
    const weights = join(pics, 'start.json');
    const exported = await runCli(['weights', 'export', join(dir.path, 'scene.yaml')], { stdoutFile: weights });
    expect(exported.code, exported.stderr).toBe(0);
    const cases: Array<[string[], RegExp]> = [
      // The fitted picture would be the target…
      [['fit', named('hi-fitted.png'), '--out', join(dir.path, 'inputs-link', 'hi.json')], /hi-fitted\.png is the target picture \(.*hi-fitted\.png\) that this command reads; an output never replaces an input/],
      // …the chart would be the target…
      [['fit', named('logo-chart.png'), '--out', join(pics, '..', 'inputs', 'logo.json')], /logo-chart\.png is the target picture/],
      // …the weights would be the --init file the fit starts from.
      [['fit', named('cat.png'), '--init', join(dir.path, 'inputs-link', 'start.json'), '--out', weights], /start\.json is the --init weights file/],
    ];
    for (const [args, message] of cases) {
      const before = snapshot(pics);
      const result = await runCli([...args, '--scene', join(dir.path, 'scene.yaml'), '--size', '16x16', '--steps', '300', '--workers', '1']);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('hint: choose another --out');
      // Refused up front, not after the training.
      expect(result.stderr).not.toMatch(/step \d+/);
      expect(snapshot(pics)).toEqual(before);
    }
  });

  it('refuses a picture whose header claims more pixels than allowed, before decoding it: exit 2, not a crash', async () => {
    const { crc32, deflateSync } = await import('node:zlib');
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(60000, 0);
    ihdr.writeUInt32BE(60000, 4);
    ihdr.set([8, 6], 8);
    // 67 bytes: a PNG whose header says 60000×60000.
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.alloc(2))), pngChunk('IEND', Buffer.alloc(0))]);
    // A GIF whose logical screen is 60000×60000, and a 20000×10 PNG (a side beyond the limit, few pixels).
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([0x60, 0xea, 0x60, 0xea, 0, 0, 0]), Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3b])]);
    const wide = Buffer.from(png);
    wide.writeUInt32BE(20000, 16);
    wide.writeUInt32BE(10, 20);
    wide.writeUInt32BE(crc32(wide.subarray(12, 29)) >>> 0, 29);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['huge.png', png, /huge\.png is 60000x60000 pixels by its header: more than a picture may have \(16384 pixels a side, 64 megapixels\)/],
      ['huge.gif', gif, /huge\.gif is 60000x60000 pixels by its header/],
      ['wide.png', wide, /wide\.png is 20000x10 pixels by its header/],
    ];
    for (const [name, bytes, message] of cases) {
      const path = join(dir.path, name);
      writeFileSync(path, bytes);
      const result = await runCli(['fit', path, '--steps', '5', '--out', join(dir.path, 'huge', 'w.json')]);
      expect(result.signal, result.stderr).toBe(null);
      expect(result.code, `${name}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(dir.path, 'huge'))).toBe(false);
    }
    // The library's PNG decoder reads the header first too.
    await expect(decodePng(png)).rejects.toThrow(/60000x60000 pixels by its header/);
  });
});
