/**
 * A folder of numbered PNG frames (<name>-frames/frame-00000.png …), moved
 * into place when complete. Each piece writes its frames, numbered by their
 * place in the video, straight into a folder: on this machine the output's
 * own temporary folder (nothing left to join), on a cluster a folder in the
 * chunk store, whose frames the join links (or copies) into the output.
 * `--from` reads PNG files: stills carry the scene in an iTXt chunk, and so
 * does the first frame, which also marks the folder as ours: a later render
 * replaces a frames folder only when it holds nothing but frames and its
 * first frame carries our chunk (another tool's frame-00000.png files are
 * left alone).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeOutputFolder } from '../../files/index.js';
import { rawInput, type PieceJob } from '../encoder.js';
import { FfmpegPiece, pieceLabel } from '../ffmpeg-piece.js';
import { pngFramesCheck } from '../output-checks.js';
import { placeFile } from '../placed-outputs.js';
import { METADATA_KEYWORD, pngTextChunk } from '../png.js';
import { readPngFileText } from './apng.js';
import type { OutputFormat } from './output-format.js';

const FIRST_FRAME = 'frame-00000.png';
/** A PNG's IEND chunk: length, type and CRC. */
const IEND_LENGTH = 12;

/** A folder of frames this tool wrote: nothing in it but frame-NNNNN.png, the first carrying our chunk. */
function isOurFramesFolder(folder: string): boolean {
  try {
    return readdirSync(folder).every((name) => /^frame-\d+\.png$/.test(name)) && readPngFileText(join(folder, FIRST_FRAME)) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Our chunk in the first frame, just before its IEND. The frame is written
 * anew rather than changed in place: on a cluster it is a hard link to the
 * chunk store's frame, which must stay as the worker wrote it. A frame
 * missing or cut short is left for the check to report.
 */
function markFirstFrame(folder: string, scene: string): void {
  const path = join(folder, FIRST_FRAME);
  try {
    const png = readFileSync(path);
    const end = png.length - IEND_LENGTH;
    if (end < 8 || png.toString('latin1', end + 4, end + 8) !== 'IEND') return;
    rmSync(path);
    writeFileSync(path, Buffer.concat([png.subarray(0, end), pngTextChunk(METADATA_KEYWORD, scene), png.subarray(end)]));
  } catch {
    // pngFramesCheck names the missing or broken frame.
  }
}

/**
 * The image2 muxer's file name pattern for frames in `folder`: its `%`
 * starts a frame number, so one in the folder's own name (a folder named
 * 50%) is written `%%`.
 */
function framesPattern(folder: string): string {
  return join(folder.replace(/%/g, '%%'), 'frame-%05d.png');
}

export const pngFrames: OutputFormat = {
  name: 'png',
  extensions: ['.png'],
  outputPath: (stem) => `${stem}-frames`,
  folder: true,
  pieceName: 'frames',
  createPieceEncoder(job: PieceJob) {
    // The image2 muxer writes into the folder; it must exist before ffmpeg starts.
    makeOutputFolder(job.path);
    const frame = (i: number): string => join(job.path, `frame-${String(i).padStart(5, '0')}.png`);
    // The folder may hold other pieces' frames (the output's own folder): a failed piece removes only its own.
    const discard = (): void => {
      for (let i = job.range.start; i < job.range.end; i++) rmSync(frame(i), { force: true });
    };
    return new FfmpegPiece(job.path, pieceLabel('png', job), [...rawInput(job), '-f', 'image2', '-start_number', String(job.range.start), '-c:v', 'png', framesPattern(job.path)], discard);
  },
  async join(pieces, job, temp) {
    makeOutputFolder(temp);
    for (const piece of pieces) {
      // Written in place already (a render on this machine).
      if (resolve(piece) === resolve(temp)) continue;
      for (const name of readdirSync(piece)) if (/^frame-\d+\.png$/.test(name)) placeFile(join(piece, name), join(temp, name));
    }
    markFirstFrame(temp, job.metadata ?? '');
    return undefined;
  },
  check: (job) => pngFramesCheck(job.frameCount),
  replaces: isOurFramesFolder,
  readMetadata: async (path) => readPngFileText(path),
  needs: { encoders: ['png'] },
};
