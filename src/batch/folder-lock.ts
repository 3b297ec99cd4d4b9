/**
 * One batch at a time per series folder: two batches writing the same
 * manifest would each keep only their own items. The lock is a file holding
 * the owner's process id, made with O_EXCL; a lock whose process is gone
 * (killed, machine restarted) is taken over.
 */
import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeOutputFolder } from '../encode/atomic-output.js';
import { fileSystemError, UserError } from '../errors.js';

export const LOCK_FILE = '.cppn-motion.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder's lock (making the folder if need be); returns the function that releases it. */
export function lockSeriesFolder(folder: string): () => void {
  const path = join(folder, LOCK_FILE);
  makeOutputFolder(folder);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileSystemError(folder, error) ?? error;
      let owner = NaN;
      try {
        owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      } catch {
        // Gone in the meantime: try again.
      }
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
        throw new UserError(`${folder} is being written by another batch (process ${owner}); wait for it to finish, or give another --out`);
      }
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return () => {
      try {
        if (Number.parseInt(readFileSync(path, 'utf8'), 10) === process.pid) rmSync(path, { force: true });
      } catch {
        // Already gone.
      }
    };
  }
  throw new UserError(`${folder}: cannot take its lock (${LOCK_FILE}); remove it if no batch is running`);
}
