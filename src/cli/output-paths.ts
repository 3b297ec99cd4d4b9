/**
 * What `--out` (and the other flags that name an output) may be, the same for
 * every command: never empty (the option table's parser says so); a path
 * ending in `/` (or naming `.` or `..`) is a folder, which gets the command's
 * own file name; a file must carry the extension of what the command writes.
 */
import { basename, extname, join } from 'node:path';
import { option, UserError, words } from '../errors.js';
import type { TableKey } from '../scene/options/index.js';

/** Whether `out` names a folder rather than a file: it ends in a separator, or its last part is `.` or `..`. */
export function namesFolder(out: string): boolean {
  return /[/\\]$/.test(out) || out === '.' || out === '..' || /[/\\]\.{1,2}$/.test(out);
}

/**
 * The file a command writes, named by the option `given` (--out by default):
 * `fallback` (in ./output) when the option was not given, `folder/fallback`
 * when it names a folder, else the path itself, whose extension, if it has
 * one, must be `extension` (a PNG is not written under a .jpg name).
 */
export function outputFile(out: string | undefined, fallback: string, extension: string, given: TableKey = 'out', what = 'the output'): string {
  if (out === undefined) return join('output', fallback);
  if (namesFolder(out)) return join(out, basename(fallback));
  const ext = extname(out).toLowerCase();
  if (ext !== '' && ext !== extension) {
    throw new UserError(words`${option(given)} ${out}: ${what} must end in ${extension}`, `name a ${extension} file, or a folder ending in /`);
  }
  return out;
}
