/**
 * One batch at a time per series folder: two batches writing the same
 * manifest would each keep only their own items. The lock is a file holding
 * the owner's machine and process id, made with O_EXCL; a lock whose process
 * is gone (killed, machine restarted) is taken over. A process id means
 * nothing on another machine (a folder shared over the network), so a lock
 * held from another machine is never taken over: the message says how to
 * clear it.
 *
 * The lock appears whole: its text is written to a file of this process's
 * own, then linked to the lock's name (which fails if the lock exists), so
 * another batch never reads a lock that exists but is still empty and takes
 * it for a dead one. An empty lock (a version that wrote it in two steps,
 * caught between them) counts as held while it is young.
 */
import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileSystemError, option, UserError, words } from '../errors.js';
import { machineId, makeOutputFolder, processAlive, removeStaleTemporaries, temporaryPath } from '../files/index.js';

export const LOCK_FILE = '.cppn-motion.lock';

/** The lock's owner: "MACHINE PID", or a bare PID written by earlier versions (taken as this machine's). */
function owner(text: string): { machine: string; pid: number } {
  const [first, second] = text.trim().split(/\s+/);
  return second === undefined ? { machine: machineId(), pid: Number.parseInt(first, 10) } : { machine: first, pid: Number.parseInt(second, 10) };
}

/** An empty lock younger than this is taken to be one being written, not a leftover. */
const EMPTY_LOCK_GRACE_MS = 10_000;

/** Makes the lock at `path` with its text already in it; false when a lock is there already. */
function linkLock(path: string, folder: string): boolean {
  // Named as a temporary output, so that one a killed batch left is swept like any other (removeStaleTemporaries).
  const draft = temporaryPath(folder, LOCK_FILE.slice(1), '');
  try {
    writeFileSync(draft, `${machineId()} ${process.pid}\n`, { flag: 'wx' });
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw fileSystemError(folder, error) ?? error;
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Takes the folder's lock (making the folder if need be); returns the function that releases it. */
export function lockSeriesFolder(folder: string): () => void {
  const path = join(folder, LOCK_FILE);
  makeOutputFolder(folder);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (!linkLock(path, folder)) {
      let held: { machine: string; pid: number } | undefined;
      try {
        const text = readFileSync(path, 'utf8');
        if (text.trim() === '' && Date.now() - statSync(path).mtimeMs < EMPTY_LOCK_GRACE_MS) {
          throw new UserError(words`${folder} is being written by another batch (its lock was just made); wait for it to finish, or give another ${option('out')}`);
        }
        held = owner(text);
      } catch (error) {
        if (error instanceof UserError) throw error;
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
    // The folder is this batch's now: what killed runs left in it goes, the lock's drafts included.
    removeStaleTemporaries(folder);
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
