/**
 * Animated WebP (libwebp_anim), lossy or lossless, looping forever. Pieces
 * are WebPs of their own, joined by re-wrapping their frames (webp-join.ts).
 * ffmpeg writes no metadata into WebP, so the scene goes into a chunk of our
 * own after the frames: the WebP format lets files carry unknown chunks after
 * the image data, and readers skip them.
 */
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { FileInputError, formatBytes, withRegularFile } from '../../files/index.js';
import { INPUT_LIMITS } from '../../scene/input-limits.js';
import { rawInput, type PieceJob } from '../encoder.js';
import { FfmpegPiece, pieceLabel } from '../ffmpeg-piece.js';
import { readFileRange } from './file-range.js';
import type { OutputFormat } from './output-format.js';
import { joinWebp, webpDuration, webpTiming } from './webp-join.js';

const SCENE_CHUNK = 'CPPN';

/** Appends a chunk to a RIFF file and updates the RIFF size. */
export function appendRiffChunk(path: string, fourcc: string, data: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(8);
    head.write(fourcc, 0, 'latin1');
    head.writeUInt32LE(data.length, 4);
    const pad = data.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0);
    writeSync(fd, Buffer.concat([head, data, pad]), 0, 8 + data.length + pad.length, size);
    const riffSize = Buffer.alloc(4);
    riffSize.writeUInt32LE(size + 8 + data.length + pad.length - 8);
    writeSync(fd, riffSize, 0, 4, 4);
  } finally {
    closeSync(fd);
  }
}

/**
 * The chunks of a RIFF file (fourcc, offset of the payload, length), read
 * header by header. Lengths are the file's own claims: one that runs past the
 * end (a chunk claiming 4 GB) makes the file damaged, never a read.
 */
export function riffChunks(path: string): Array<{ fourcc: string; offset: number; size: number }> {
  return withRegularFile(path, path, (file) => {
    if (file.size < 12 || file.read(0, 4).toString('latin1') !== 'RIFF') return [];
    const chunks: Array<{ fourcc: string; offset: number; size: number }> = [];
    for (let at = 12; at + 8 <= file.size; ) {
      const head = file.read(at, 8);
      const size = head.readUInt32LE(4);
      const fourcc = head.toString('latin1', 0, 4);
      if (at + 8 + size > file.size) {
        throw new FileInputError(`${path} is damaged: its ${JSON.stringify(fourcc)} chunk at byte ${at} claims ${size} bytes, past the file's end (${file.size} bytes)`, 'damaged');
      }
      chunks.push({ fourcc, offset: at + 8, size });
      at += 8 + size + (size % 2);
    }
    return chunks;
  });
}

/** Frame count, total duration and loop count (0 = forever) of an animated WebP, from its chunks. */
export function webpAnimation(path: string): { frames: number; seconds: number; loops: number } | undefined {
  const chunks = riffChunks(path);
  const anim = chunks.find((c) => c.fourcc === 'ANIM');
  if (!anim) return undefined;
  let ms = 0;
  const frames = chunks.filter((c) => c.fourcc === 'ANMF');
  // ANMF: x, y, width − 1, height − 1, duration (24-bit little-endian each), flags.
  for (const frame of frames) ms += readFileRange(path, { offset: frame.offset + 12, size: 3 }).readUIntLE(0, 3);
  return { frames: frames.length, seconds: ms / 1000, loops: readFileRange(path, anim).readUInt16LE(4) };
}

export interface WebpOptions {
  lossless: boolean;
  /** 0–100: lossy, the quality; lossless, the effort. */
  quality: number;
}

export const webp: OutputFormat = {
  name: 'webp',
  extensions: ['.webp'],
  outputPath: (stem) => `${stem}.webp`,
  pieceName: 'piece.webp',
  createPieceEncoder(job: PieceJob) {
    const { lossless, quality } = job.options.webp;
    return new FfmpegPiece(job.path, pieceLabel('webp', job), [
      ...rawInput(job),
      '-c:v', 'libwebp_anim',
      '-lossless', lossless ? '1' : '0',
      '-quality', String(quality),
      // Lossy WebP is YUV 4:2:0 anyway; converting here keeps libwebp from carrying an alpha plane.
      '-pix_fmt', lossless ? 'bgra' : 'yuv420p',
      '-loop', '0',
      '-f', 'webp',
      '-y', job.path,
    ]);
  },
  async join(pieces, job, temp) {
    const scene = job.metadata === undefined ? undefined : { fourcc: SCENE_CHUNK, data: Buffer.from(job.metadata, 'utf8') };
    await joinWebp({ pieces, ranges: job.ranges, fps: job.fps, scene, signal: job.signal }, temp);
    return undefined;
  },
  // libwebp merges identical frames into one that lasts longer: what must be whole is the time the frames last.
  check: (job) => (temp) => {
    const { frames, ms } = webpTiming(temp);
    const expected = webpDuration(job.frameCount, job.fps);
    if (frames < 1 || frames > job.frameCount || ms !== expected) throw new Error(`it lasts ${ms} ms in ${frames} frames, not the ${expected} ms of ${job.frameCount} frames`);
  },
  async readMetadata(path) {
    const chunk = riffChunks(path).find((c) => c.fourcc === SCENE_CHUNK);
    if (chunk && chunk.size > INPUT_LIMITS.storedScene) {
      throw new FileInputError(`${path}: its stored scene is ${formatBytes(chunk.size)}, more than a stored scene may be (${formatBytes(INPUT_LIMITS.storedScene)}); it is damaged or not a cppn-motion file`, 'too-large');
    }
    return chunk && readFileRange(path, chunk).toString('utf8');
  },
  needs: { encoders: ['libwebp_anim'] },
};
