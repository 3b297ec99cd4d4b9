/**
 * A folder of numbered PNG frames (<name>-frames/frame-00000.png …), moved
 * into place when complete. `--from` reads PNG files: stills carry the scene
 * in an iTXt chunk, and so does the first frame, which also marks the folder
 * as ours: a later render replaces a frames folder only when it holds
 * nothing but frames and its first frame carries our chunk (another tool's
 * frame-00000.png files are left alone).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeOutputFolder } from '../atomic-output.js';
import { rawInput, type EncodeJob } from '../encoder.js';
import { pngFramesCheck } from '../output-checks.js';
import { METADATA_KEYWORD, pngTextChunk } from '../png.js';
import { StreamEncoder } from '../stream-encoder.js';
import { insertBeforeEnd, readPngFileText } from './apng.js';
import type { OutputFormat } from './output-format.js';

const FIRST_FRAME = 'frame-00000.png';

/** A folder of frames this tool wrote: nothing in it but frame-NNNNN.png, the first carrying our chunk. */
function isOurFramesFolder(folder: string): boolean {
  try {
    return readdirSync(folder).every((name) => /^frame-\d+\.png$/.test(name)) && readPngFileText(join(folder, FIRST_FRAME)) !== undefined;
  } catch {
    return false;
  }
}

/** Our chunk in the first frame; a frame missing or cut short is left for the check to report. */
function markFirstFrame(folder: string, scene: string): void {
  try {
    insertBeforeEnd(join(folder, FIRST_FRAME), pngTextChunk(METADATA_KEYWORD, scene));
  } catch {
    // pngFramesCheck names the missing or broken frame.
  }
}

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
      {
        folder: true,
        verify: pngFramesCheck(job.frameCount),
        complete: (temp) => markFirstFrame(temp, job.metadata ?? ''),
        replaces: isOurFramesFolder,
      },
    );
  },
  readMetadata: async (path) => readPngFileText(path),
  needs: { encoders: ['png'] },
};
