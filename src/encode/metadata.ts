/**
 * The resolved scene stored in outputs, read back for `--from`; each format
 * module knows where its files keep it.
 */
import { UserError } from '../errors.js';
import { formatOfFile, outputFormats } from './formats/index.js';
import { unpackSceneComment } from './scene-comment.js';

/** The scene JSON stored in an output file made by cppn-motion. */
export async function readSceneMetadata(path: string): Promise<string> {
  const format = formatOfFile(path);
  if (!format) {
    const extensions = [...new Set(outputFormats().flatMap((f) => f.extensions))].join(', ');
    throw new UserError(`--from ${path}: expected a file made by cppn-motion (${extensions})`);
  }
  let text: string | undefined;
  try {
    text = await format.readMetadata(path);
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
