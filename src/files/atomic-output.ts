/**
 * Outputs are written under a temporary name beside the final one and renamed
 * into place only when complete and verified, so a failed or interrupted run
 * never leaves a half-written file under the final name, and an existing file
 * stays intact until its replacement is whole. Temporary files register
 * themselves so an interrupt can remove them; those a killed process left
 * behind are removed by the next run that writes into the same folder.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, lstatSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statfsSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileSystemError, option, OutputError, UserError, words, type Text } from '../errors.js';
import { machineId, processAlive } from './machine.js';
import { refuseReplacingInput } from './input-guard.js';

const pending = new Set<string>();

/** Folders this process made for its outputs (the first one made of each chain). */
const madeFolders = new Set<string>();

/** Removes every temporary output not yet committed (for interrupts and fatal errors). */
export function removePendingOutputs(): void {
  for (const path of pending) rmSync(path, { recursive: true, force: true });
  pending.clear();
  removeEmptyFoldersMade();
}

function within(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Removes the folders this process made for outputs that never came (a
 * refused, failed or interrupted run): a run that writes nothing leaves
 * nothing behind, not even an empty folder. A folder holding anything, or
 * about to (a temporary output still pending in it), stays.
 */
export function removeEmptyFoldersMade(): void {
  const deepestFirst = [...madeFolders].sort((a, b) => b.length - a.length);
  for (const top of deepestFirst) {
    if ([...pending].some((path) => within(top, resolve(path)))) continue;
    // Empty folders made inside `top` go first, then `top` itself.
    const chain: string[] = [];
    const collect = (folder: string): boolean => {
      let names: string[];
      try {
        names = readdirSync(folder);
      } catch {
        return false;
      }
      for (const name of names) {
        const path = join(folder, name);
        if (!lstatOrUndefined(path)?.isDirectory() || !collect(path)) return false;
      }
      chain.push(folder);
      return true;
    };
    if (!collect(top)) continue;
    try {
      for (const folder of chain) rmdirSync(folder);
      madeFolders.delete(top);
    } catch {
      // Something arrived in the meantime: it stays.
    }
  }
}

/** The message with `from` (a temporary path) said as `to` (the output it stands for). */
function renamed(text: Text, from: string, to: string): Text {
  return typeof text === 'string' ? text.replace(from, to) : text.map((part) => (typeof part === 'string' ? part.replace(from, to) : part));
}

/** Turns the file-system errors a bad output path gives into a message for the user. */
function outputPathError(path: string, error: unknown): Error {
  if (error instanceof UserError || error instanceof OutputError) return error;
  return fileSystemError(path, error) ?? (error as Error);
}

/**
 * Makes a folder (and its parents) for output. Node reports a read-only
 * parent as ENOENT when making folders recursively; the nearest existing
 * parent tells the real cause.
 */
export function makeOutputFolder(folder: string): void {
  try {
    const made = mkdirSync(folder, { recursive: true });
    if (made !== undefined) madeFolders.add(resolve(made));
  } catch (error) {
    let cause = error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      let parent = dirname(resolve(folder));
      while (!lstatOrUndefined(parent) && parent !== dirname(parent)) parent = dirname(parent);
      try {
        accessSync(parent, constants.W_OK);
      } catch (access) {
        cause = access;
      }
    }
    throw outputPathError(folder, cause);
  }
}

/**
 * `.name.partial-MACHINE-PID-RANDOM.ext`, and the `.work` / `.old` / `.pieces`
 * paths made beside it. Names from earlier versions lack the machine.
 */
const TEMPORARY = /^\..*\.partial-(?:([0-9a-f]{8})-)?(\d+)-[0-9a-f]{6}(\.[^.]*){0,2}$/;

/** Another machine's temporary untouched this long is taken for the leftover of a machine that went down. */
const FOREIGN_STALE_MS = 24 * 3600 * 1000;

/**
 * Whether a temporary output is a leftover: its process is gone. The process
 * id is only checked on the machine that made it; one from another machine
 * sharing the folder counts as gone only once it has not changed for a day.
 */
function leftOver(path: string, machine: string | undefined, pid: number): boolean {
  if (machine === undefined || machine === machineId()) return !processAlive(pid);
  const stat = lstatOrUndefined(path);
  return stat !== undefined && Date.now() - stat.mtimeMs > FOREIGN_STALE_MS;
}

const swept = new Set<string>();

/**
 * Removes temporary outputs in `folder` whose process is gone (killed with
 * SIGKILL, or the machine went down): nothing else would ever clean them.
 */
export function removeStaleTemporaries(folder: string): string[] {
  const key = resolve(folder);
  if (swept.has(key)) return [];
  swept.add(key);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMPORARY.exec(name);
    if (!match || !leftOver(join(folder, name), match[1], Number(match[2]))) continue;
    try {
      rmSync(join(folder, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Not ours to remove after all (permissions): leave it.
    }
  }
  return removed;
}

/** Longest file name most file systems allow, in bytes. */
const NAME_MAX = 255;
/** Room kept for the suffixes added to a temporary name (`.partial-MACHINE-PID-RANDOM`, `.work`, `.old`). */
const TEMP_SUFFIX_ROOM = 58;

/**
 * The stem of a temporary name: `%` would be read by ffmpeg as a frame-number
 * pattern, and a long stem is cut so the suffixes still fit the name limit.
 */
function temporaryStem(stem: string, ext: string): string {
  let safe = stem.replace(/%/g, '_');
  const room = NAME_MAX - TEMP_SUFFIX_ROOM - Buffer.byteLength(ext);
  while (Buffer.byteLength(safe) > room) safe = safe.slice(0, -1);
  return safe;
}

/**
 * A temporary path in `folder` for a file or folder named `stem` + `ext`:
 * named with its machine and process, so that removeStaleTemporaries removes
 * it once a killed process left it behind.
 */
export function temporaryPath(folder: string, stem: string, ext: string): string {
  return join(folder, `.${temporaryStem(stem, ext)}.partial-${machineId()}-${process.pid}-${randomBytes(3).toString('hex')}${ext}`);
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Whether the file system holding `folder` has (next to) no room left: the likely cause of an incomplete output. */
function diskFull(folder: string): boolean {
  try {
    const stats = statfsSync(folder);
    return stats.bavail * stats.bsize < 256 * 1024;
  } catch {
    return false;
  }
}

/** Checks a finished temporary output before it may be committed; throws (any error) when it is incomplete. */
export type OutputCheck = (tempPath: string) => void | Promise<void>;

export interface PendingOutputOptions {
  /** The output is a folder (PNG frames). */
  folder?: boolean;
  /** What makes this output complete (frame count, non-empty frames…), checked before commit. */
  verify?: OutputCheck;
  /**
   * For a folder output: whether the folder already at the final path is an
   * earlier output of the same kind (frames this tool wrote), which may be
   * replaced. Without it, no folder is ever replaced.
   */
  replaces?: (existing: string) => boolean;
}

export class PendingOutput {
  readonly tempPath: string;
  private readonly folder: boolean;
  private readonly check: OutputCheck | undefined;
  private verified = false;
  private readonly scratches = new Set<string>();
  private state: 'pending' | 'committed' | 'discarded' = 'pending';

  /**
   * Prepares a temporary path for `finalPath`; the extension is kept so tools
   * recognise the format. Only a regular file is ever replaced, and a folder
   * only by a folder output when it holds nothing but our frames: never a
   * device, a pipe, a link or someone's folder.
   */
  constructor(
    readonly finalPath: string,
    options: boolean | PendingOutputOptions = {},
  ) {
    const { folder = false, verify, replaces } = typeof options === 'boolean' ? { folder: options } : options;
    this.folder = folder;
    this.check = verify;
    refuseReplacingInput(finalPath, { folder });
    if (Buffer.byteLength(basename(finalPath)) > NAME_MAX) {
      throw new UserError(`cannot write ${finalPath}: the name is longer than ${NAME_MAX} bytes`, words`choose a shorter ${option('out')}`);
    }
    const existing = lstatOrUndefined(finalPath);
    if (existing) {
      if (existing.isDirectory()) {
        if (!folder) throw new UserError(`${finalPath} is a folder; give a file name for the output`);
        if (!replaces?.(finalPath)) throw new UserError(`${finalPath} is a folder that this tool did not write; a folder is replaced only when it holds nothing but frames this tool wrote`, words`remove it, or choose another ${option('out')}`);
      } else if (!existing.isFile()) {
        const kind = existing.isSymbolicLink() ? 'a symbolic link' : existing.isFIFO() ? 'a pipe' : existing.isSocket() ? 'a socket' : 'a device';
        throw new UserError(`${finalPath} is ${kind}, not a regular file; outputs replace only regular files`, words`choose another ${option('out')}`);
      } else if (folder) {
        throw new UserError(`${finalPath} is a file; the frames need a folder there`);
      }
    }
    makeOutputFolder(dirname(finalPath));
    removeStaleTemporaries(dirname(finalPath));
    const ext = extname(finalPath);
    this.tempPath = temporaryPath(dirname(finalPath), basename(finalPath, ext), ext);
    pending.add(this.tempPath);
  }

  /** A further temporary path beside this one (work files), removed on interrupt like the output itself. */
  scratch(suffix: string): string {
    const path = `${this.tempPath}.${suffix}`;
    pending.add(path);
    this.scratches.add(path);
    return path;
  }

  /** Makes a scratch folder (see `scratch`), with a clear message when the location cannot take it. */
  scratchFolder(suffix: string): string {
    const path = this.scratch(suffix);
    try {
      makeOutputFolder(path);
    } catch (error) {
      this.removeScratch(path);
      throw error instanceof UserError ? new UserError(renamed(error.said, path, this.finalPath), error.hintSaid) : error;
    }
    return path;
  }

  /**
   * Runs the format's check on the finished temporary output. An output that
   * fails it is discarded, the final path keeps what it had, and the error
   * names the output and the cause.
   */
  async verify(): Promise<void> {
    if (this.state !== 'pending') return;
    try {
      const stat = lstatOrUndefined(this.tempPath);
      if (!stat) throw new Error('nothing was written');
      if (!this.folder && stat.size === 0) throw new Error('the file is empty');
      await this.check?.(this.tempPath);
      this.verified = true;
    } catch (error) {
      // Asked before the temporary output is removed and its space freed.
      const full = diskFull(dirname(this.tempPath));
      this.discard();
      const known = outputPathError(this.finalPath, error);
      if (known instanceof UserError || known instanceof OutputError) throw known;
      throw new OutputError(
        `${this.finalPath}: the output came out incomplete (${(error as Error).message})${full ? '; the disk is full' : ''}; ${lstatOrUndefined(this.finalPath) ? 'the earlier one was left as it was' : 'nothing was written'}`,
      );
    }
  }

  /** Moves the finished, verified temporary file (or folder) into place, replacing any old one. */
  commit(): void {
    if (this.state === 'committed') return;
    if (this.state === 'discarded') throw new Error(`${this.finalPath}: the output was discarded and cannot be committed`);
    if (this.check && !this.verified) throw new Error(`${this.finalPath}: the output must be verified before it is committed`);
    try {
      // rename() replaces a file atomically; a folder (PNG frames) must be moved aside first.
      if (this.folder && lstatOrUndefined(this.finalPath)) {
        const old = this.scratch('old');
        renameSync(this.finalPath, old);
        try {
          renameSync(this.tempPath, this.finalPath);
        } catch (error) {
          renameSync(old, this.finalPath);
          throw error;
        }
        this.removeScratch(old);
      } else {
        renameSync(this.tempPath, this.finalPath);
      }
    } catch (error) {
      this.discard();
      throw outputPathError(this.finalPath, error);
    }
    pending.delete(this.tempPath);
    this.removeScratches();
    this.state = 'committed';
  }

  /** Deletes the temporary file; the final path is untouched. */
  discard(): void {
    if (this.state !== 'pending') return;
    rmSync(this.tempPath, { recursive: true, force: true });
    pending.delete(this.tempPath);
    this.removeScratches();
    this.state = 'discarded';
    removeEmptyFoldersMade();
  }

  /** Deletes a scratch path made by `scratch`. */
  removeScratch(path: string): void {
    rmSync(path, { recursive: true, force: true });
    pending.delete(path);
    this.scratches.delete(path);
  }

  private removeScratches(): void {
    for (const path of this.scratches) this.removeScratch(path);
  }
}

/**
 * A scratch folder beside `beside` (a path in the output folder) that belongs
 * to no one output: work files several outputs read, such as a render's
 * pieces. Named like a temporary output, so an interrupt removes it and the
 * next run in the folder removes one a killed process left behind.
 */
export class ScratchFolder {
  readonly path: string;

  constructor(beside: string, suffix: string) {
    this.path = temporaryPath(dirname(beside), basename(beside), `.${suffix}`);
    pending.add(this.path);
    try {
      makeOutputFolder(this.path);
    } catch (error) {
      this.remove();
      throw error;
    }
  }

  /** Removes the folder and all in it. */
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
    pending.delete(this.path);
    removeEmptyFoldersMade();
  }
}

/**
 * Writes a whole file under its temporary name and leaves it pending, for a
 * caller that commits several files together (or none); a full disk or a
 * read-only location ends in a clear error.
 */
export function writePendingFile(path: string, data: Uint8Array | string): PendingOutput {
  const output = new PendingOutput(path);
  try {
    writeFileSync(output.tempPath, data);
  } catch (error) {
    output.discard();
    throw outputPathError(path, error);
  }
  return output;
}

/** Writes a whole file atomically; a full disk or a read-only location ends in a clear error. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const output = writePendingFile(path, data);
  try {
    output.commit();
  } catch (error) {
    output.discard();
    throw outputPathError(path, error);
  }
}
