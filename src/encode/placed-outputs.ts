/**
 * Outputs made elsewhere (a series item coded by a cluster's worker, in the
 * chunk store) put in place here: each copied under a temporary name beside
 * its final one (a hard link where both are on one file system, which costs
 * nothing), checked, and all of them moved into place together, or none.
 */
import { copyFileSync, linkSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileSystemError, OutputError, UserError } from '../errors.js';
import { makeOutputFolder, PendingOutput } from '../files/index.js';

/** Puts a file at `to`: a hard link where both are on one file system (no copy), a copy elsewhere. */
export function placeFile(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK' && code !== 'ENOTSUP' && code !== 'EACCES') throw error;
    copyFileSync(from, to);
  }
}

export interface Placement {
  /** The finished output (a file, or a folder of frames). */
  from: string;
  /** Its final path. */
  to: string;
  folder?: boolean;
  /** Whether a folder already at `to` is an earlier output of the same format, which may be replaced (the format's own rule). */
  replaces?: (existing: string) => boolean;
}

function bytesOf(path: string): number {
  const info = statSync(path);
  return info.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + statSync(join(path, name)).size, 0) : info.size;
}

/** Places every output, all or none: what was at the final paths stays until every one is ready. */
export async function placeOutputs(placements: Placement[]): Promise<void> {
  const pending: PendingOutput[] = [];
  try {
    for (const { from, to, folder, replaces } of placements) {
      const expected = bytesOf(from);
      const output = new PendingOutput(to, {
        folder,
        replaces,
        verify: (temp) => {
          const bytes = bytesOf(temp);
          if (bytes !== expected) throw new Error(`it holds ${bytes} bytes of ${expected}`);
        },
      });
      pending.push(output);
      try {
        if (folder) {
          makeOutputFolder(output.tempPath);
          for (const name of readdirSync(from)) placeFile(join(from, name), join(output.tempPath, name));
        } else placeFile(from, output.tempPath);
      } catch (error) {
        const known = fileSystemError(to, error);
        throw known ?? new OutputError(`cannot write ${to}: ${(error as Error).message}`);
      }
    }
    for (const output of pending) await output.verify();
    for (const output of pending) output.commit();
  } catch (error) {
    for (const output of pending) output.discard();
    throw error instanceof UserError || error instanceof OutputError ? error : new OutputError((error as Error).message);
  }
}
