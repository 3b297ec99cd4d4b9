/** The scene in a container's comment tag (MP4 names it "comment", Matroska/WebM "COMMENT"). */
import type { EncodeJob } from '../encoder.js';
import { readFfmpegMetadata } from '../ffmpeg.js';
import { packSceneComment } from '../scene-comment.js';

/**
 * ffmpeg arguments that store the scene as the container's comment. ffmpeg
 * takes it as one argument, which Linux caps at 128 KiB (spawn E2BIG), and
 * this ffmpeg's metadata-file reader cuts lines at 1 KiB: a large scene is
 * stored compressed (see scene-comment.ts; metadata.ts unpacks it).
 */
export function commentArgs(job: EncodeJob): string[] {
  return job.metadata === undefined ? [] : ['-metadata', `comment=${packSceneComment(job.metadata, job.path)}`];
}

export async function readCommentTag(path: string): Promise<string | undefined> {
  const tags = await readFfmpegMetadata(path);
  return Object.entries(tags).find(([key]) => key.toLowerCase() === 'comment')?.[1];
}
