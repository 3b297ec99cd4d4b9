/**
 * WebM: VP9 at constant quality, row-parallel. Pieces start on a keyframe
 * with the same settings and are joined by copying their packets.
 */
import { fixedThreads, rawInput, type PieceJob } from '../encoder.js';
import { FfmpegPiece, pieceLabel } from '../ffmpeg-piece.js';
import { videoFrameCheck } from '../output-checks.js';
import { concatVideo } from '../video-concat.js';
import { commentArgs, readCommentTag } from './container-metadata.js';
import type { OutputFormat } from './output-format.js';

export interface WebmOptions {
  /** libvpx-vp9's constant quality, 0–63: lower is better. */
  crf: number;
}

export const webm: OutputFormat = {
  name: 'webm',
  extensions: ['.webm'],
  outputPath: (stem) => `${stem}.webm`,
  pieceName: 'piece.webm',
  // libvpx's look-ahead (alternate reference frames over up to 25 frames) has little to work with in short pieces (docs/cluster.md).
  minPieceFrames: 30,
  validate: (job) => void commentArgs(job),
  createPieceEncoder(job: PieceJob) {
    return new FfmpegPiece(job.path, pieceLabel('webm', job), [
      ...rawInput(job),
      '-c:v', 'libvpx-vp9',
      '-crf', String(job.options.webm.crf),
      '-b:v', '0',
      '-deadline', 'good',
      '-cpu-used', '4',
      '-row-mt', '1',
      ...fixedThreads(),
      '-pix_fmt', 'yuv420p',
      '-f', 'webm',
      '-y', job.path,
    ]);
  },
  async join(pieces, job, temp) {
    await concatVideo(pieces, job.ranges, job.fps, temp, job.scratch('concat'), 'webm', commentArgs(job), `webm ${job.path}`, job.signal);
    return undefined;
  },
  check: (job) => videoFrameCheck(job.frameCount),
  readMetadata: readCommentTag,
  needs: { encoders: ['libvpx-vp9'] },
};
