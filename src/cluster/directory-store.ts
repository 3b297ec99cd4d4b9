/**
 * The chunk store as a directory (local, or shared by every machine: NFS,
 * SMB, a mounted bucket). An object is the folder <dir>/<set>/<name>. It is
 * written as a temporary folder beside it, named after the machine and the
 * process, and renamed into place when complete, so a worker killed
 * mid-piece never leaves an object that looks done. Temporary folders are
 * removed by the next writer into the same set when they are this machine's
 * and their process is gone; another machine's (the store is shared) are
 * left to their own machine, or to the set's removal.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { option, say, UserError, words, type Text } from '../errors.js';
import { machineId, processAlive } from '../files/index.js';
import { STORE_KEY, STORE_SET, type ChunkStore, type StoreReader, type StoreWriter } from './chunk-store.js';
import { ChunkStoreError } from './cluster-error.js';

export { ChunkStoreError } from './cluster-error.js';

/** `.<name>.partial-MACHINE-PID-RANDOM`: an object being written. */
const PARTIAL = /^\.(.+)\.partial-([0-9a-f]{8})-(\d+)-[0-9a-f]{8}$/;

/** What a file-system error on the store means, in words (never a bare EEXIST or ENOENT). */
function storeProblem(error: unknown): { said: Text; user: boolean } {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return { said: 'it is full', user: false };
    case 'EROFS':
      return { said: 'it is on a read-only file system', user: true };
    case 'EACCES':
    case 'EPERM':
      return { said: 'permission denied', user: true };
    case 'ENOTDIR':
    case 'EEXIST':
      return { said: words`a file stands where a folder is needed (give ${option('store')} a folder)`, user: true };
    case 'ENOENT':
      return { said: 'it does not exist and cannot be made', user: true };
    case 'EIO':
      return { said: 'input/output error on the device', user: false };
    case 'ESTALE':
    case 'ETIMEDOUT':
    case 'EHOSTDOWN':
      return { said: 'the shared folder is unreachable', user: false };
    default:
      return { said: (error as Error).message ?? String(error), user: false };
  }
}

export function createDirectoryStore(directory: string): ChunkStore {
  const root = resolve(directory);
  const pathOf = (key: string): string => {
    if (!STORE_KEY.test(key)) throw new ChunkStoreError(`"${key}" is not a chunk store key`);
    return join(root, key);
  };
  const failure = (what: string, error: unknown): Error => {
    const { said, user } = storeProblem(error);
    const message = words`cannot ${what} the chunk store ${root}: ${said}`;
    return user ? new UserError(message, words`give ${option('store')} a folder that this machine can write (the same shared folder on every machine)`) : new ChunkStoreError(say(message));
  };
  const swept = new Set<string>();

  /** Removes this machine's temporary objects in `folder` whose process is gone (a worker killed mid-piece). */
  const sweep = async (folder: string): Promise<void> => {
    if (swept.has(folder)) return;
    swept.add(folder);
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names) {
      const match = PARTIAL.exec(name);
      if (match && match[2] === machineId() && !processAlive(Number(match[3]))) await rm(join(folder, name), { recursive: true, force: true }).catch(() => undefined);
    }
  };

  return {
    location: root,
    async ready() {
      const probe = join(root, `.probe-${machineId()}-${process.pid}`);
      try {
        await mkdir(root, { recursive: true });
        await writeFile(probe, '');
        await rm(probe, { force: true });
      } catch (error) {
        // mkdir reports a read-only parent as ENOENT: the nearest folder that exists tells the real cause.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          const cause = await nearestCause(root);
          if (cause) throw failure('write to', cause);
        }
        throw failure('write to', error);
      }
    },
    async has(key) {
      try {
        return (await stat(pathOf(key))).isDirectory();
      } catch {
        return false;
      }
    },
    async create(key): Promise<StoreWriter> {
      const path = pathOf(key);
      const [set, name] = key.split('/');
      const temporary = join(root, set, `.${name}.partial-${machineId()}-${process.pid}-${randomBytes(4).toString('hex')}`);
      // Another writer of the set that gives up removes the set's folder once it is empty
      // (see abort): between making the folder and making this object in it, it may
      // vanish. Then it is made again; a store that cannot be made fails for good.
      for (let attempt = 1; ; attempt++) {
        try {
          await mkdir(join(root, set), { recursive: true });
          await sweep(join(root, set));
          await mkdir(temporary);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 5 && (await stat(root).catch(() => undefined))?.isDirectory()) continue;
          throw failure('write to', error);
        }
      }
      return {
        folder: temporary,
        async commit() {
          try {
            await rename(temporary, path);
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            // Another worker finished the same object first (a lock that lapsed): theirs is as good.
            if (code === 'ENOTEMPTY' || code === 'EEXIST') {
              await rm(temporary, { recursive: true, force: true });
              return;
            }
            throw failure('write to', error);
          }
        },
        async abort() {
          await rm(temporary, { recursive: true, force: true });
          // A set folder made for this object alone goes with it (rmdir fails, harmlessly, while others remain).
          await rmdir(join(root, set)).catch(() => undefined);
        },
      };
    },
    async open(key): Promise<StoreReader> {
      const folder = pathOf(key);
      try {
        if (!(await stat(folder)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ChunkStoreError(`${key} is missing from the chunk store ${root}`);
        throw failure('read from', error);
      }
      return { folder, release: async () => undefined };
    },
    async remove(key) {
      await rm(pathOf(key), { recursive: true, force: true });
      // The set's folder goes with its last object (rmdir fails, harmlessly, while another remains).
      await rmdir(join(root, key.split('/')[0])).catch(() => undefined);
    },
    async removeSet(set) {
      if (!STORE_SET.test(set)) throw new ChunkStoreError(`"${set}" is not a set in the chunk store`);
      await rm(join(root, set), { recursive: true, force: true });
    },
  };
}

/** Why a folder cannot be made at `path`: the access error of the nearest folder that exists, if any. */
async function nearestCause(path: string): Promise<unknown> {
  for (let at = resolve(path, '..'); ; at = resolve(at, '..')) {
    const found = await lstat(at).catch(() => undefined);
    if (found) {
      if (!found.isDirectory()) return Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      return access(at, constants.W_OK).then(
        () => undefined,
        (error: unknown) => error,
      );
    }
    if (at === resolve(at, '..')) return undefined;
  }
}
