/**
 * A folder of numbered PNG frames (<name>-frames/frame-00000.png …), moved
 * into place when complete. `--from` reads PNG files: stills carry the scene
 * in an iTXt chunk.
 */
import { join } from 'node:path';
import { makeOutputFolder } from '../atomic-output.js';
import { rawInput, type EncodeJob } from '../encoder.js';
import { pngFramesCheck } from '../output-checks.js';
import { StreamEncoder } from '../stream-encoder.js';
import { readPngFileText } from './apng.js';
import type { OutputFormat } from './output-format.js';

export const pngFrames: OutputFormat = {
  name: 'png',
  extensions: ['.png'],
  outputPath: (stem) => `${stem}-frames`,
  createEncoder(job: EncodeJob) {
    return new StreamEncoder(
      'png',
      job.path,
      (temp) => {
        // The image2 muxer writes into the folder; it must exist before ffmpeg starts.
        makeOutputFolder(temp);
        return [...rawInput(job), '-f', 'image2', '-start_number', '0', '-c:v', 'png', join(temp, 'frame-%05d.png')];
      },
      { folder: true, verify: pngFramesCheck(job.frameCount) },
    );
  },
  readMetadata: async (path) => readPngFileText(path),
  needs: { encoders: ['png'] },
};
