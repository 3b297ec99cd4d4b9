/**
 * Outputs are written under a temporary name beside the final one and renamed
 * into place only when complete, so a failed or interrupted run never leaves
 * a half-written file under the final name, and an existing file stays intact
 * until its replacement is whole. Temporary files register themselves so an
 * interrupt can remove them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { UserError } from '../errors.js';

const pending = new Set<string>();

/** Removes every temporary output not yet committed (for interrupts and fatal errors). */
export function removePendingOutputs(): void {
  for (const path of pending) rmSync(path, { recursive: true, force: true });
  pending.clear();
}

/** Turns the file-system errors a bad output path gives into a message for the user. */
function outputPathError(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    EEXIST: 'a file stands where a folder is needed',
    ENOTDIR: 'a file stands where a folder is needed',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
  };
  return code && why[code] ? new UserError(`cannot write ${path}: ${why[code]}`) : (error as Error);
}

export class PendingOutput {
  readonly tempPath: string;
  private state: 'pending' | 'committed' | 'discarded' = 'pending';

  /**
   * Prepares a temporary path for `finalPath`; the extension is kept so tools
   * recognise the format. Only a folder output (`folder: true`) may replace an
   * existing folder: a file never takes a folder's place.
   */
  constructor(
    readonly finalPath: string,
    private readonly folder = false,
  ) {
    if (!folder && existsSync(finalPath) && lstatSync(finalPath).isDirectory()) {
      throw new UserError(`${finalPath} is a folder; give a file name for the output`);
    }
    try {
      mkdirSync(dirname(finalPath), { recursive: true });
    } catch (error) {
      throw outputPathError(dirname(finalPath), error);
    }
    const ext = extname(finalPath);
    const stem = basename(finalPath, ext);
    this.tempPath = join(dirname(finalPath), `.${stem}.partial-${process.pid}-${randomBytes(3).toString('hex')}${ext}`);
    pending.add(this.tempPath);
  }

  /** A further temporary path beside this one (work files), removed on interrupt like the output itself. */
  scratch(suffix: string): string {
    const path = `${this.tempPath}.${suffix}`;
    pending.add(path);
    return path;
  }

  /** Moves the finished temporary file (or folder) into place, replacing any old one. */
  commit(): void {
    if (this.state === 'committed') return;
    if (this.state === 'discarded') throw new Error(`${this.finalPath}: the output was discarded and cannot be committed`);
    // rename() replaces a file atomically; a folder (PNG frames) must be moved aside first.
    if (this.folder && existsSync(this.finalPath)) {
      const old = `${this.tempPath}.old`;
      renameSync(this.finalPath, old);
      try {
        renameSync(this.tempPath, this.finalPath);
      } catch (error) {
        renameSync(old, this.finalPath);
        throw error;
      }
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(this.tempPath, this.finalPath);
    }
    pending.delete(this.tempPath);
    this.state = 'committed';
  }

  /** Deletes the temporary file; the final path is untouched. */
  discard(): void {
    if (this.state !== 'pending') return;
    rmSync(this.tempPath, { recursive: true, force: true });
    pending.delete(this.tempPath);
    this.state = 'discarded';
  }

  /** Deletes a scratch path made by `scratch`. */
  removeScratch(path: string): void {
    rmSync(path, { recursive: true, force: true });
    pending.delete(path);
  }
}

/** Writes a whole file atomically. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const output = new PendingOutput(path);
  try {
    writeFileSync(output.tempPath, data);
    output.commit();
  } catch (error) {
    output.discard();
    throw outputPathError(path, error);
  }
}
