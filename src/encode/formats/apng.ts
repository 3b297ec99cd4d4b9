/**
 * Animated PNG (lossless), looping forever, in a .apng file (the extension
 * keeps it apart from stills and PNG frames; browsers show it as a PNG). The
 * scene goes into an iTXt chunk just before IEND, so adding it rewrites only
 * the file's last twelve bytes.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { rawInput, type EncodeJob } from '../encoder.js';
import { withRegularFile } from '../../regular-file.js';
import { pngChunkList, pngTextChunk, storedPngText, METADATA_KEYWORD, type PngChunk } from '../png.js';
import { StreamEncoder } from '../stream-encoder.js';
import { readFileRange } from './file-range.js';
import type { OutputFormat } from './output-format.js';

const IEND_LENGTH = 12;

/** Writes `chunk` into a PNG file just before its IEND chunk. */
export function insertBeforeEnd(path: string, chunk: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const end = Buffer.alloc(IEND_LENGTH);
    readSync(fd, end, 0, IEND_LENGTH, size - IEND_LENGTH);
    if (end.toString('latin1', 4, 8) !== 'IEND') throw new Error(`${path}: the PNG does not end with IEND`);
    writeSync(fd, Buffer.concat([chunk, end]), 0, chunk.length + IEND_LENGTH, size - IEND_LENGTH);
  } finally {
    closeSync(fd);
  }
}

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
  createEncoder(job: EncodeJob) {
    return new StreamEncoder(
      'apng',
      job.path,
      (temp) => [...rawInput(job), '-c:v', 'apng', '-pix_fmt', 'rgb24', '-plays', '0', '-f', 'apng', '-y', temp],
      {
        complete: (temp) => job.metadata !== undefined && insertBeforeEnd(temp, pngTextChunk(METADATA_KEYWORD, job.metadata)),
        verify: (temp) => {
          const frames = apngAnimation(temp)?.frames ?? 0;
          if (frames !== job.frameCount) throw new Error(`it holds ${frames} frames of ${job.frameCount}`);
        },
      },
    );
  },
  readMetadata: async (path) => readPngFileText(path),
  needs: { encoders: ['apng'] },
};
