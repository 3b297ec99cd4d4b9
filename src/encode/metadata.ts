/**
 * The resolved scene stored in outputs: a PNG iTXt chunk (png.ts), a GIF
 * comment extension (gif-file.ts), the MP4/WebM container's comment tag.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { UserError } from '../errors.js';
import { readFfmpegMetadata } from './ffmpeg.js';
import { readGifComment } from './gif-file.js';
import { readPngMetadata } from './png.js';
import { unpackSceneComment } from './scene-comment.js';

/** The scene JSON stored in an output file made by cppn-motion. */
export async function readSceneMetadata(path: string): Promise<string> {
  const ext = extname(path).toLowerCase();
  let text: string | undefined;
  try {
    if (ext === '.png') text = readPngMetadata(await readFile(path));
    else if (ext === '.gif') text = readGifComment(path);
    else if (ext === '.mp4' || ext === '.webm') {
      // MP4 names the tag "comment", Matroska (WebM) "COMMENT".
      const tags = readFfmpegMetadata(path);
      text = Object.entries(tags).find(([key]) => key.toLowerCase() === 'comment')?.[1];
    }
    else throw new UserError(`--from ${path}: expected a .png, .gif, .mp4 or .webm made by cppn-motion`);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`--from ${path}: the file cannot be read (${(error as Error).message})`);
  }
  if (text === undefined) throw new UserError(`--from ${path}: the file holds no cppn-motion scene (was it made by cppn-motion, and not re-saved by another program?)`);
  try {
    return unpackSceneComment(text);
  } catch {
    throw new UserError(`--from ${path}: its stored scene is damaged`);
  }
}
