/** WebM: VP9 at constant quality, row-parallel. */
import { fixedThreads, rawInput, type EncodeJob } from '../encoder.js';
import { videoFrameCheck } from '../output-checks.js';
import { StreamEncoder } from '../stream-encoder.js';
import { commentArgs, readCommentTag } from './container-metadata.js';
import type { OutputFormat } from './output-format.js';

export const webm: OutputFormat = {
  name: 'webm',
  extensions: ['.webm'],
  outputPath: (stem) => `${stem}.webm`,
  createEncoder(job: EncodeJob) {
    return new StreamEncoder('webm', job.path, (temp) => [
      ...rawInput(job),
      '-c:v', 'libvpx-vp9',
      '-crf', String(job.output.webm.crf),
      '-b:v', '0',
      '-deadline', 'good',
      '-cpu-used', '4',
      '-row-mt', '1',
      ...fixedThreads(),
      '-pix_fmt', 'yuv420p',
      ...commentArgs(job),
      '-f', 'webm',
      '-y', temp,
    ], { verify: videoFrameCheck(job.frameCount) });
  },
  readMetadata: readCommentTag,
  needs: { encoders: ['libvpx-vp9'] },
};
