/** The scene in a container's comment tag (MP4 names it "comment", Matroska/WebM "COMMENT"). */
import { writeFileSync } from 'node:fs';
import type { PendingOutput } from '../atomic-output.js';
import type { EncodeJob } from '../encoder.js';
import { readFfmpegMetadata } from '../ffmpeg.js';

/** ffmetadata escapes these with a backslash. */
function escapeFfmetadata(text: string): string {
  return text.replace(/[=;#\\\n]/g, (ch) => `\\${ch}`);
}

/**
 * ffmpeg arguments, placed right after the frames' input, that store the scene
 * as the container's comment. The scene goes to ffmpeg as a metadata file, not
 * an argument: one argument is capped at 128 KiB by Linux (spawn E2BIG), and a
 * scene with thousands of keyframes is larger. The file is a scratch file
 * beside the output.
 */
export function commentArgs(job: EncodeJob, output: PendingOutput): string[] {
  if (job.metadata === undefined) return [];
  const file = output.scratch('meta');
  writeFileSync(file, `;FFMETADATA1\ncomment=${escapeFfmetadata(job.metadata)}\n`);
  return ['-f', 'ffmetadata', '-i', file, '-map', '0:v', '-map_metadata', '1'];
}

export async function readCommentTag(path: string): Promise<string | undefined> {
  const tags = readFfmpegMetadata(path);
  return Object.entries(tags).find(([key]) => key.toLowerCase() === 'comment')?.[1];
}
