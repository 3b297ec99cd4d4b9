/**
 * The output formats, each one module (see output-format.ts). The render,
 * `--from`, `doctor` and the help texts learn of formats only from here; the
 * type makes sure every format the scene knows has its module.
 */
import { extname } from 'node:path';
import { FORMATS, type Format } from '../../scene/index.js';
import type { EncodeJob, Encoder } from '../encoder.js';
import { apng } from './apng.js';
import { gif } from './gif.js';
import { mp4 } from './mp4.js';
import type { OutputFormat } from './output-format.js';
import { pngFrames } from './png-frames.js';
import { webm } from './webm.js';
import { webp } from './webp.js';

export type { OutputFormat } from './output-format.js';
export { defaultGifFps } from './gif.js';
export { mp4Size } from './mp4.js';

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

export function createEncoder(format: Format, job: EncodeJob): Encoder {
  return REGISTRY[format].createEncoder(job);
}
