/**
 * A folder of numbered PNG frames (<name>-frames/frame-00000.png …), moved
 * into place when complete. Each piece writes its frames, numbered by their
 * place in the video, straight into a folder: on this machine the output's
 * own temporary folder (nothing left to join), on a cluster a folder in the
 * chunk store, whose frames the join links (or copies) into the output.
 * `--from` reads PNG files: stills carry the scene in an iTXt chunk.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeOutputFolder } from '../atomic-output.js';
import { rawInput, type PieceJob } from '../encoder.js';
import { FfmpegPiece, pieceLabel } from '../ffmpeg-piece.js';
import { pngFramesCheck } from '../output-checks.js';
import { placeFile } from '../placed-outputs.js';
import { readPngFileText } from './apng.js';
import type { OutputFormat } from './output-format.js';

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
    return new FfmpegPiece(job.path, pieceLabel('png', job), [...rawInput(job), '-f', 'image2', '-start_number', String(job.range.start), '-c:v', 'png', join(job.path, 'frame-%05d.png')], discard);
  },
  async join(pieces, _job, temp) {
    makeOutputFolder(temp);
    for (const piece of pieces) {
      // Written in place already (a render on this machine).
      if (resolve(piece) === resolve(temp)) continue;
      for (const name of readdirSync(piece)) if (/^frame-\d+\.png$/.test(name)) placeFile(join(piece, name), join(temp, name));
    }
    return undefined;
  },
  check: (job) => pngFramesCheck(job.frameCount),
  readMetadata: async (path) => readPngFileText(path),
  needs: { encoders: ['png'] },
};
