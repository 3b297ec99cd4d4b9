/**
 * One batch at a time per series folder: two batches writing the same
 * manifest would each keep only their own items. The lock is a file holding
 * the owner's machine and process id, made with O_EXCL; a lock whose process
 * is gone (killed, machine restarted) is taken over. A process id means
 * nothing on another machine (a folder shared over the network), so a lock
 * held from another machine is never taken over: the message says how to
 * clear it.
 */
import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileSystemError, option, UserError, words } from '../errors.js';
import { machineId, makeOutputFolder, processAlive } from '../files/index.js';

export const LOCK_FILE = '.cppn-motion.lock';

/** The lock's owner: "MACHINE PID", or a bare PID written by earlier versions (taken as this machine's). */
function owner(text: string): { machine: string; pid: number } {
  const [first, second] = text.trim().split(/\s+/);
  return second === undefined ? { machine: machineId(), pid: Number.parseInt(first, 10) } : { machine: first, pid: Number.parseInt(second, 10) };
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
      let held: { machine: string; pid: number } | undefined;
      try {
        held = owner(readFileSync(path, 'utf8'));
      } catch {
        // Gone in the meantime: try again.
      }
      if (held && held.machine !== machineId()) {
        throw new UserError(words`${folder} is being written by a batch on another machine (${held.machine}, process ${held.pid}); wait for it to finish, or give another ${option('out')}`, `if no batch runs there any more, remove ${path}`);
      }
      if (held && Number.isInteger(held.pid) && held.pid !== process.pid && processAlive(held.pid)) {
        throw new UserError(words`${folder} is being written by another batch (process ${held.pid}); wait for it to finish, or give another ${option('out')}`);
      }
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, `${machineId()} ${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return () => {
      try {
        const held = owner(readFileSync(path, 'utf8'));
        if (held.machine === machineId() && held.pid === process.pid) rmSync(path, { force: true });
      } catch {
        // Already gone.
      }
    };
  }
  throw new UserError(`${folder}: cannot take its lock (${LOCK_FILE}); remove it if no batch is running`);
}
