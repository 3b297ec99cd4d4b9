/**
 * Animated PNG (lossless), looping forever, in a .apng file (the extension
 * keeps it apart from stills and PNG frames; browsers show it as a PNG).
 * Pieces are APNGs of their own, joined by renumbering their frames
 * (apng-join.ts); the scene goes into an iTXt chunk just before IEND.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { rawInput, type PieceJob } from '../encoder.js';
import { FfmpegPiece, pieceLabel } from '../ffmpeg-piece.js';
import { pngTextChunk, METADATA_KEYWORD } from '../png.js';
import { joinApng } from './apng-join.js';
import { readFileRange } from './file-range.js';
import type { OutputFormat } from './output-format.js';

/** The chunks of a PNG file (type, offset of the data, length), read header by header without loading the frames. */
export function pngChunks(path: string): Array<{ type: string; offset: number; size: number }> {
  const fd = openSync(path, 'r');
  try {
    const total = fstatSync(fd).size;
    const head = Buffer.alloc(8);
    const chunks: Array<{ type: string; offset: number; size: number }> = [];
    for (let at = 8; at + 8 <= total; ) {
      readSync(fd, head, 0, 8, at);
      const size = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      chunks.push({ type, offset: at + 8, size });
      if (type === 'IEND') break;
      at += 12 + size;
    }
    return chunks;
  } finally {
    closeSync(fd);
  }
}


/** Our iTXt text in a PNG or APNG file, found without reading the image data. */
export function readPngFileText(path: string): string | undefined {
  for (const chunk of pngChunks(path)) {
    if (chunk.type !== 'iTXt') continue;
    const data = readFileRange(path, chunk);
    const nul = data.indexOf(0);
    if (data.toString('latin1', 0, nul) !== METADATA_KEYWORD) continue;
    // keyword\0 compression(1) method(1) language\0 translated\0 text
    let p = nul + 3;
    p = data.indexOf(0, p) + 1;
    p = data.indexOf(0, p) + 1;
    return data.toString('utf8', p);
  }
  return undefined;
}

/** Frame count, total duration and play count (0 = forever) of an APNG, from its acTL and fcTL chunks. */
export function apngAnimation(path: string): { frames: number; seconds: number; loops: number } | undefined {
  const chunks = pngChunks(path);
  const actl = chunks.find((c) => c.type === 'acTL');
  if (!actl) return undefined;
  const control = readFileRange(path, actl);
  let seconds = 0;
  // fcTL: sequence, width, height, x, y (32-bit each), delay numerator and denominator (16-bit), dispose, blend.
  for (const fctl of chunks.filter((c) => c.type === 'fcTL')) {
    const data = readFileRange(path, fctl);
    seconds += data.readUInt16BE(20) / (data.readUInt16BE(22) || 100);
  }
  return { frames: control.readUInt32BE(0), seconds, loops: control.readUInt32BE(4) };
}

export const apng: OutputFormat = {
  name: 'apng',
  extensions: ['.apng'],
  outputPath: (stem) => `${stem}.apng`,
  pieceName: 'piece.apng',
  createPieceEncoder(job: PieceJob) {
    return new FfmpegPiece(job.path, pieceLabel('apng', job), [...rawInput(job), '-c:v', 'apng', '-pix_fmt', 'rgb24', '-plays', '0', '-f', 'apng', '-y', job.path]);
  },
  async join(pieces, job, temp) {
    joinApng({ pieces, fps: job.fps, trailer: job.metadata === undefined ? undefined : pngTextChunk(METADATA_KEYWORD, job.metadata) }, temp);
    return undefined;
  },
  check: (job) => (temp) => {
    const animation = apngAnimation(temp);
    const frames = animation?.frames ?? 0;
    const controls = pngChunks(temp).filter((c) => c.type === 'fcTL').length;
    if (frames !== job.frameCount || controls !== job.frameCount) throw new Error(`it holds ${Math.min(frames, controls)} frames of ${job.frameCount}`);
  },
  readMetadata: async (path) => readPngFileText(path),
  needs: { encoders: ['apng'] },
};
