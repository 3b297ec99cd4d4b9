/**
 * An output never replaces an input of the same command: the scene file, the
 * weights files it reads, a `--from` file, the picture `fit` learns. A command
 * names its inputs once it has read them; every output is checked against
 * them before it is opened (PendingOutput does it, so no command can forget),
 * and the commands check their planned outputs up front too, so a long render
 * or fit is refused before it starts rather than at its end.
 *
 * Files are compared by identity (device and inode, links followed), so a
 * symbolic link, `..`, a second spelling of the path or a hard link to the
 * input are all seen through; a folder output (PNG frames) clashes with any
 * input inside it, since the whole folder is replaced.
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { option, UserError, words } from '../errors.js';

interface Input {
  /** As the user gave it, for messages. */
  path: string;
  /** What it is to this command, e.g. "the scene file". */
  what: string;
  /** The path with links and `..` resolved. */
  real: string;
  /** Device and inode, when the file exists. */
  id?: string;
}

const inputs: Input[] = [];

function identity(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Says that this command reads `path` (as `what`): no output of it may replace that file. */
export function protectInput(path: string, what: string): void {
  const real = realPath(path);
  if (inputs.some((input) => input.real === real)) return;
  inputs.push({ path, what, real, id: identity(path) });
}

/** Forgets every protected input (for a process that runs several commands, such as the tests). */
export function forgetInputs(): void {
  inputs.length = 0;
}

function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The input that writing `output` would replace, if any. */
function inputReplacedBy(output: string, folder: boolean): Input | undefined {
  if (inputs.length === 0) return undefined;
  const id = identity(output);
  if (id !== undefined) {
    const same = inputs.find((input) => input.id === id);
    if (same) return same;
  }
  const real = realPath(output);
  return inputs.find((input) => input.real === real || (folder && inside(real, input.real)));
}

/**
 * Refuses (a UserError, exit code 2) to write `output` when it is, or (for a
 * folder output) holds, an input of this command.
 */
export function refuseReplacingInput(output: string, options: { folder?: boolean } = {}): void {
  const input = inputReplacedBy(output, options.folder ?? false);
  if (!input) return;
  const same = input.real === realPath(output) || identity(output) === input.id;
  throw new UserError(
    same
      ? `${output} is ${input.what} (${input.path}) that this command reads; an output never replaces an input`
      : `${output} is a folder holding ${input.what} (${input.path}) that this command reads; an output never replaces an input`,
    words`choose another ${option('out')}`,
  );
}

/** Checks every planned output of a command at once, before any work starts. */
export function refuseReplacingInputs(outputs: ReadonlyArray<string | { path: string; folder?: boolean }>): void {
  for (const output of outputs) {
    if (typeof output === 'string') refuseReplacingInput(output);
    else refuseReplacingInput(output.path, { folder: output.folder });
  }
}
