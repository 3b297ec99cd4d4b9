/**
 * MP4: H.264 in yuv420p, moov atom first (faststart) so it plays while it
 * downloads. Each piece is an MP4 of its own, starting on a keyframe, all with
 * the same settings; the join copies their packets into one file and writes
 * the scene's metadata once.
 */
import { fixedThreads, rawInput, type PieceJob } from '../encoder.js';
import { FfmpegPiece, pieceLabel } from '../ffmpeg-piece.js';
import { videoFrameCheck } from '../output-checks.js';
import { concatVideo } from '../video-concat.js';
import { commentArgs, readCommentTag } from './container-metadata.js';
import type { OutputFormat } from './output-format.js';

export interface Mp4Options {
  /** x264's constant rate factor, 0–51: lower is better. */
  crf: number;
  /** x264's preset (ultrafast … veryslow). */
  preset: string;
}

/** H.264 in yuv420p needs even sides: odd ones lose their last row or column (the GIF keeps them). */
export function mp4Size(width: number, height: number): [number, number] {
  return [Math.max(2, width - (width % 2)), Math.max(2, height - (height % 2))];
}

export const mp4: OutputFormat = {
  name: 'mp4',
  extensions: ['.mp4'],
  outputPath: (stem) => `${stem}.mp4`,
  pieceName: 'piece.mp4',
  validate: (job) => void commentArgs(job),
  createPieceEncoder(job: PieceJob) {
    const [w, h] = mp4Size(job.width, job.height);
    const crop = w !== job.width || h !== job.height ? ['-vf', `crop=${w}:${h}:0:0`] : [];
    return new FfmpegPiece(job.path, pieceLabel('mp4', job), [
      ...rawInput(job),
      ...crop,
      '-c:v', 'libx264',
      '-preset', job.options.mp4.preset,
      '-crf', String(job.options.mp4.crf),
      ...fixedThreads(),
      '-pix_fmt', 'yuv420p',
      '-f', 'mp4',
      '-y', job.path,
    ]);
  },
  async join(pieces, job, temp) {
    await concatVideo(pieces, job.ranges, job.fps, temp, job.scratch('concat'), 'mp4', ['-movflags', '+faststart', ...commentArgs(job)], `mp4 ${job.path}`, job.signal);
    return undefined;
  },
  check: (job) => videoFrameCheck(job.frameCount),
  readMetadata: readCommentTag,
  needs: { encoders: ['libx264'], filters: ['crop'] },
};
