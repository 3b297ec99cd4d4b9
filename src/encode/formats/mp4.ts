/** MP4: H.264 in yuv420p, moov atom first (faststart) so it plays while it downloads. */
import { fixedThreads, rawInput, type EncodeJob } from '../encoder.js';
import { videoFrameCheck } from '../output-checks.js';
import { StreamEncoder } from '../stream-encoder.js';
import { commentArgs, readCommentTag } from './container-metadata.js';
import type { OutputFormat } from './output-format.js';

/** H.264 in yuv420p needs even sides: odd ones lose their last row or column (the GIF keeps them). */
export function mp4Size(width: number, height: number): [number, number] {
  return [Math.max(2, width - (width % 2)), Math.max(2, height - (height % 2))];
}

export const mp4: OutputFormat = {
  name: 'mp4',
  extensions: ['.mp4'],
  outputPath: (stem) => `${stem}.mp4`,
  createEncoder(job: EncodeJob) {
    const [w, h] = mp4Size(job.width, job.height);
    const crop = w !== job.width || h !== job.height ? ['-vf', `crop=${w}:${h}:0:0`] : [];
    return new StreamEncoder('mp4', job.path, (temp) => [
      ...rawInput(job),
      ...crop,
      '-c:v', 'libx264',
      '-preset', job.output.mp4.preset,
      '-crf', String(job.output.mp4.crf),
      ...fixedThreads(),
      '-pix_fmt', 'yuv420p',
      '-movflags', '+faststart',
      ...commentArgs(job),
      '-f', 'mp4',
      '-y', temp,
    ], { verify: videoFrameCheck(job.frameCount) });
  },
  readMetadata: readCommentTag,
  needs: { encoders: ['libx264'], filters: ['crop'] },
};
