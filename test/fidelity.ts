/**
 * How faithful pictures are to the exact ones: an encoded video to its
 * frames (measured by ffmpeg), the GIF as cppn-motion made it before its own
 * encoder, and GPU pictures (the preview's WebGL2, the WebGPU backend) to the
 * CPU's. Shared by the tests and the benchmarks, so all measure the same way.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { locateFfmpeg } from '../src/encode/ffmpeg.js';

/**
 * PSNR (dB, mean over frames; Infinity where identical) and SSIM of a decoded
 * output against the exact frames (frame-%05d.png in `framesFolder`). An
 * output at 1/step of the video's rate is compared with the frames it shows.
 */
export function fidelity(file: string, framesFolder: string, fps: number, step = 1): { psnr: number; ssim: number } {
  const tb = `settb=1/${fps},setpts=N`;
  const pick = step > 1 ? `select=not(mod(n\\,${step})),` : '';
  const result = spawnSync(locateFfmpeg().path, [
    '-hide_banner', '-i', file, '-framerate', String(fps), '-i', join(framesFolder, 'frame-%05d.png'),
    '-lavfi', `[0:v]format=rgb24,${tb},split[a1][a2];[1:v]${pick}format=rgb24,${tb},split[b1][b2];[a1][b1]psnr=shortest=1;[a2][b2]ssim=shortest=1`,
    '-f', 'null', '-',
  ], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const psnr = /PSNR .*average:([\d.]+|inf)/.exec(result.stderr)?.[1];
  const ssim = /SSIM .*All:([\d.]+)/.exec(result.stderr)?.[1];
  if (psnr === undefined || ssim === undefined) throw new Error(`ffmpeg could not compare ${file} with the frames:\n${result.stderr}`);
  return { psnr: psnr === 'inf' ? Infinity : Number(psnr), ssim: Number(ssim) };
}

/**
 * The GIF as cppn-motion made it before its own encoder, the baseline:
 * colours rounded to 6 bits, one palettegen palette for the whole video,
 * paletteuse with sierra2_4a dithering, every frame.
 */
export function ffmpegBaselineGif(framesFolder: string, fps: number, out: string): void {
  const input = ['-framerate', String(fps), '-i', join(framesFolder, 'frame-%05d.png')];
  const quantise = 'bitand(min(val+2\\,255)\\,252)';
  const lut = `lutrgb=r='${quantise}':g='${quantise}':b='${quantise}'`;
  const palette = `${out}.palette.png`;
  for (const args of [
    [...input, '-vf', `${lut},palettegen=max_colors=256:stats_mode=full`, '-y', palette],
    [...input, '-i', palette, '-lavfi', `[0:v]${lut}[x];[x][1:v]paletteuse=dither=sierra2_4a`, '-loop', '0', '-f', 'gif', '-y', out],
  ]) {
    const result = spawnSync(locateFfmpeg().path, ['-v', 'error', ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`ffmpeg failed making the baseline GIF:\n${result.stderr}`);
  }
}

/** Share of 8-bit colour values (alpha left out) that differ by at most `tolerance`, and the PSNR in dB. */
export function agreement(a: Uint8Array | Uint8ClampedArray, b: Uint8Array | Uint8ClampedArray, tolerance = 2): { within: number; psnr: number } {
  if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} and ${b.length} bytes`);
  let within = 0;
  let count = 0;
  let squared = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    const d = Math.abs(a[i] - b[i]);
    if (d <= tolerance) within++;
    squared += d * d;
    count++;
  }
  const mse = squared / count;
  return { within: within / count, psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse) };
}

/**
 * Scenes whose pictures are chaotic: a change in the last bit of one value can
 * change a pixel a lot (the logistic map iterates, high cosine frequencies and
 * weights of ±100 amplify). A GPU may round in its own order, so for these
 * the bound is a PSNR rather than a count of values within ±2.
 */
export const CHAOTIC = new Set(['logistic', 'logistic-pulse', 'cosine-warp', 'uniform-100']);
export const CHAOTIC_PSNR = 30;

/** The GPU's bound against the CPU: 99 % of 8-bit values within ±2, or for a chaotic scene a PSNR of 30 dB. */
export function withinGpuBound(gpu: Uint8Array | Uint8ClampedArray, cpu: Uint8Array | Uint8ClampedArray, chaotic: boolean): { ok: boolean; within: number; psnr: number } {
  const { within, psnr } = agreement(gpu, cpu);
  return { ok: chaotic ? psnr >= CHAOTIC_PSNR : within >= 0.99, within, psnr };
}

/** Every activation of the catalogue, for the per-activation parity scenes. */
export const PARITY_ACTIVATIONS = ['sigmoid', 'tanh', 'hardtanh', 'relu', 'leaky-relu', 'elu', 'selu', 'celu', 'softplus', 'swish', 'mish', 'sin', 'cos', 'gaussian', 'identity', 'logistic'];

/**
 * A small scene for one activation with every input (t in linear mode, a
 * latent z), a moved view, a palette and every colour adjustment. A few go
 * out in RGB (one with a tanh output layer); the rest through a palette.
 */
export function activationParityScene(activation: string, size: [number, number] = [96, 64]): string {
  const rgb = activation === 'tanh' || activation === 'cos';
  return [
    `name: ${activation}`,
    'seed: 3',
    `output: { size: [${size[0]}, ${size[1]}], duration: 2 }`,
    'network:',
    '  inputs: [x, y, r, t, z]',
    '  latent: 2',
    '  time: { mode: linear, scale: 0.7 }',
    '  layers: { depth: 3, width: 8 }',
    `  activation: ${activation === 'logistic' ? '{ name: logistic, squash: cos, frequency: 2 }' : activation === 'cos' ? '{ name: cos, frequency: 2.5 }' : activation}`,
    `  output: { channels: ${rgb ? 3 : 1}, activation: ${activation === 'tanh' ? 'tanh' : 'sigmoid'} }`,
    '  init: { normal: { std: 1 } }',
    'z: [0.3, -0.4]',
    'view: { zoom: 1.7, center: [0.1, -0.2], rotation: 20 }',
    `colour: { ${rgb ? '' : 'palette: magma, '}hue: 40, saturation: 0.7, contrast: 1.2, brightness: 0.9${activation === 'relu' ? ', invert: true' : ''} }`,
  ].join('\n');
}

/** PSNR (dB) of every decoded frame of `file` against the exact frames, in order: a broken frame anywhere shows. */
export function framePsnr(file: string, framesFolder: string, fps: number, statsFile: string): number[] {
  const tb = `settb=1/${fps},setpts=N`;
  const result = spawnSync(locateFfmpeg().path, [
    '-hide_banner', '-i', file, '-framerate', String(fps), '-i', join(framesFolder, 'frame-%05d.png'),
    '-lavfi', `[0:v]format=rgb24,${tb}[a];[1:v]format=rgb24,${tb}[b];[a][b]psnr=stats_file=${statsFile.replace(/[\\':]/g, '\\$&')}`,
    '-f', 'null', '-',
  ], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`ffmpeg could not compare ${file} with the frames:\n${result.stderr}`);
  return readFileSync(statsFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const value = /psnr_avg:(\S+)/.exec(line)?.[1];
      return value === 'inf' ? Infinity : Number(value);
    });
}
