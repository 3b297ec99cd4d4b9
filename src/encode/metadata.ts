/**
 * The resolved scene stored in outputs: PNG iTXt chunks (png.ts), and for
 * videos and GIFs the container's comment (see the formats' modules).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { UserError } from '../errors.js';
import { readPngMetadata } from './png.js';

/** The scene JSON stored in an output file made by cppn-motion. */
export async function readSceneMetadata(path: string): Promise<string> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch {
    throw new UserError(`--from ${path}: the file cannot be read`);
  }
  const ext = extname(path).toLowerCase();
  let text: string | undefined;
  if (ext === '.png') text = readPngMetadata(file);
  else throw new UserError(`--from ${path}: expected a .png made by cppn-motion`);
  if (text === undefined) throw new UserError(`--from ${path}: the file holds no cppn-motion scene (was it made by cppn-motion, and not re-saved by another program?)`);
  return text;
}
