/**
 * The output formats, each one module (see output-format.ts). The render,
 * `--from`, `doctor` and the help texts learn of formats only from here; the
 * type makes sure every format the scene knows has its module.
 */
import { extname } from 'node:path';
import { FORMATS, type Format } from '../../scene/index.js';
import type { EncodeJob, EncodingSettings, PieceEncoder, PieceJob } from '../encoder.js';
import { checkGifSettings } from '../gif/gif-job.js';
import { apng } from './apng.js';
import { decideGif, gif, gifFramesToDecide } from './gif.js';
import { mp4 } from './mp4.js';
import type { OutputFormat } from './output-format.js';
import { pngFrames } from './png-frames.js';
import { webm } from './webm.js';
import { webp } from './webp.js';

export type { OutputFormat } from './output-format.js';
export { defaultGifFps } from './gif.js';
export { mp4Size } from './mp4.js';
export { createEncoder } from './whole-encoder.js';

const REGISTRY: { readonly [F in Format]: OutputFormat } = { mp4, gif, webm, webp, apng, png: pngFrames };

/** Every format, in the order the scene lists them. */
export function outputFormats(): OutputFormat[] {
  return FORMATS.map((name) => REGISTRY[name]);
}

export function outputFormat(name: Format): OutputFormat {
  return REGISTRY[name];
}

/** The format whose files have this path's extension, or undefined. */
export function formatOfFile(path: string): OutputFormat | undefined {
  const ext = extname(path).toLowerCase();
  return outputFormats().find((format) => format.extensions.includes(ext));
}

/** The output path of each format, given the output stem (folder + name). */
export function outputPath(stem: string, format: Format): string {
  return REGISTRY[format].outputPath(stem);
}

export function createPieceEncoder(format: Format, job: PieceJob): PieceEncoder {
  return REGISTRY[format].createPieceEncoder(job);
}

/** How many of the video's first frames the formats must see before their settings are decided (0: none). */
export function framesToDecide(formats: readonly Format[], job: EncodeJob): number {
  return formats.includes('gif') ? gifFramesToDecide(job) : 0;
}

/**
 * What is decided once for the whole video, before any piece is coded, from
 * its first frames (`sample`, framesToDecide of them). `pieces`: how many
 * pieces the video is coded in.
 */
export async function decideEncoding(formats: readonly Format[], job: EncodeJob, sample: Uint8Array[], pieces: number): Promise<EncodingSettings> {
  return formats.includes('gif') ? { gif: await decideGif(job, sample, pieces) } : {};
}

/** Checks settings that came from elsewhere (a cluster job) for the formats they are for; throws a plain Error naming what is wrong. */
export function checkEncodingSettings(value: unknown, formats: readonly Format[]): EncodingSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the encoding settings are not an object');
  const settings = value as Record<string, unknown>;
  return formats.includes('gif') ? { gif: checkGifSettings(settings.gif) } : {};
}

/** Formats that ffmpeg codes (their bytes depend on its build). */
export function usesFfmpeg(formats: readonly Format[]): boolean {
  return formats.some((f) => REGISTRY[f].needs.encoders.length > 0);
}
