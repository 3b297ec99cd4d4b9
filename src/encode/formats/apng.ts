/**
 * Animated PNG (lossless), looping forever, in a .apng file (the extension
 * keeps it apart from stills and PNG frames; browsers show it as a PNG).
 * Pieces are APNGs of their own, joined by renumbering their frames
 * (apng-join.ts); the scene goes into an iTXt chunk just before IEND.
 */
import { withRegularFile } from '../../files/index.js';
import { rawInput, type PieceJob } from '../encoder.js';
import { FfmpegPiece, pieceLabel } from '../ffmpeg-piece.js';
import { pngChunkList, pngTextChunk, storedPngText, METADATA_KEYWORD, type PngChunk } from '../png.js';
import { joinApng } from './apng-join.js';
import { readFileRange } from './file-range.js';
import type { OutputFormat } from './output-format.js';

/** The chunks of a PNG file (type, offset of the data, length), read header by header without loading the frames. */
export function pngChunks(path: string): PngChunk[] {
  return withRegularFile(path, path, pngChunkList);
}

/** Our text in a PNG or APNG file, found without reading the image data. */
export function readPngFileText(path: string): string | undefined {
  return withRegularFile(path, path, storedPngText);
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
    await joinApng({ pieces, fps: job.fps, trailer: job.metadata === undefined ? undefined : pngTextChunk(METADATA_KEYWORD, job.metadata), signal: job.signal }, temp);
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
