/**
 * What `--out` (and the other flags that name an output) may be, the same for
 * every command: never empty; a path ending in `/` (or naming `.` or `..`)
 * is a folder, which gets the command's own file name; a file must carry the
 * extension of what the command writes.
 */
import { InvalidArgumentError } from 'commander';
import { basename, extname, join } from 'node:path';
import { UserError } from '../errors.js';

/** The parser of every `--out`: an empty path names nothing (and would write files named only by their extension). */
export function parseOutPath(text: string): string {
  if (text.trim() === '') throw new InvalidArgumentError('give a path (a file, or a folder ending in /)');
  return text;
}

/** Whether `out` names a folder rather than a file: it ends in a separator, or its last part is `.` or `..`. */
export function namesFolder(out: string): boolean {
  return /[/\\]$/.test(out) || out === '.' || out === '..' || /[/\\]\.{1,2}$/.test(out);
}

/**
 * The file a command writes: `fallback` (in ./output) when no --out was
 * given, `folder/fallback` when --out names a folder, else --out itself,
 * whose extension, if it has one, must be `extension` (a PNG is not written
 * under a .jpg name).
 */
export function outputFile(out: string | undefined, fallback: string, extension: string, flag = '--out', what = 'the output'): string {
  if (out === undefined) return join('output', fallback);
  if (namesFolder(out)) return join(out, basename(fallback));
  const ext = extname(out).toLowerCase();
  if (ext !== '' && ext !== extension) {
    throw new UserError(`${flag} ${out}: ${what} must end in ${extension}`, `name a ${extension} file, or a folder ending in /`);
  }
  return out;
}
