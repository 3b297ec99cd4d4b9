/** The scene in a container's comment tag (MP4 names it "comment", Matroska/WebM "COMMENT"). */
import type { EncodeJob } from '../encoder.js';
import { readFfmpegMetadata } from '../ffmpeg.js';

/** ffmpeg arguments that store the scene as the container's comment. */
export function commentArgs(job: EncodeJob): string[] {
  return job.metadata === undefined ? [] : ['-metadata', `comment=${job.metadata}`];
}

export async function readCommentTag(path: string): Promise<string | undefined> {
  const tags = readFfmpegMetadata(path);
  return Object.entries(tags).find(([key]) => key.toLowerCase() === 'comment')?.[1];
}
