/**
 * How faithful an encoded video is to the exact frames, measured by ffmpeg,
 * and the GIF as cppn-motion made it before its own encoder: shared by the
 * format tests and `npm run bench:formats`, so both measure the same way.
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
