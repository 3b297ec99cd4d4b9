/**
 * The resolved scene stored in outputs, read back (the `from` option); each format
 * module knows where its files keep it. Every reader goes through the bounded
 * reader (regular files only, lengths checked against the file, stored
 * scenes at most INPUT_LIMITS.storedScene), so a damaged or hostile file ends
 * in a message, never in an engine error, a hang or unbounded memory.
 */
import { option, UserError, words } from '../errors.js';
import { FileInputError } from '../files/index.js';
import { formatOfFile, outputFormats } from './formats/index.js';
import { unpackSceneComment } from './scene-comment.js';

/** The scene JSON stored in an output file made by cppn-motion. */
export async function readSceneMetadata(path: string): Promise<string> {
  const format = formatOfFile(path);
  if (!format) {
    const extensions = [...new Set(outputFormats().flatMap((f) => f.extensions))].join(', ');
    throw new UserError(words`${option('from')} ${path}: expected a file made by cppn-motion (${extensions})`);
  }
  try {
    const text = await format.readMetadata(path);
    if (text === undefined) throw new UserError(words`${option('from')} ${path}: the file holds no cppn-motion scene (was it made by cppn-motion, and not re-saved by another program?)`);
    return unpackSceneComment(text, path);
  } catch (error) {
    // The readers name the file; the message says which option gave it.
    if (error instanceof FileInputError) throw new FileInputError(words`${option('from')} ${error.said}`, error.reason, error.hintSaid);
    if (error instanceof UserError) throw error;
    throw new UserError(words`${option('from')} ${path}: the file cannot be read (${(error as Error).message.split('\n')[0]})`);
  }
}
