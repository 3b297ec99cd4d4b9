/**
 * The chunk store as a directory (local, or shared by every machine: NFS,
 * SMB, a mounted bucket). A chunk is <dir>/<scene hash>/<start>-<end>.chunk:
 * gzip (lossless, with a CRC that catches damage) of one JSON header line and
 * the raw RGBA frames. It is written under a temporary name and renamed when
 * complete, so a worker killed mid-chunk never leaves a chunk that looks done.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { constants, createGunzip, createGzip } from 'node:zlib';
import { describeChunk, type ChunkHeader, type ChunkStore, type ChunkWriter } from './chunk-store.js';

/** Chunk keys are made by chunkKey(); anything else could point outside the store. */
const KEY = /^[0-9a-f]{16}\/\d+-\d+$/;

export class ChunkStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkStoreError';
  }
}

/** Reads exactly n bytes at a time from a stream of buffers. */
class ExactReader {
  private buffered: Buffer[] = [];
  private size = 0;
  private readonly source: AsyncIterator<Buffer>;
  private ended = false;

  constructor(stream: AsyncIterable<Buffer>) {
    this.source = stream[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<boolean> {
    while (this.size < n && !this.ended) {
      const next = await this.source.next();
      if (next.done) this.ended = true;
      else {
        this.buffered.push(next.value);
        this.size += next.value.length;
      }
    }
    return this.size >= n;
  }

  /** The next n bytes, or undefined at the end of the stream. */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) return undefined;
    const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
    this.buffered = all.length > n ? [all.subarray(n)] : [];
    this.size = all.length - n;
    return all.subarray(0, n);
  }

  /** Everything up to (not including) the next newline, within `limit` bytes. */
  async line(limit: number): Promise<string | undefined> {
    for (;;) {
      const all = Buffer.concat(this.buffered);
      const at = all.indexOf(10);
      if (at >= 0) {
        this.buffered = [all.subarray(at + 1)];
        this.size = all.length - at - 1;
        return all.subarray(0, at).toString('utf8');
      }
      this.buffered = [all];
      if (all.length > limit || !(await this.fill(all.length + 1))) return undefined;
    }
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  close(): void {
    void this.source.return?.();
  }
}

export function createDirectoryStore(directory: string): ChunkStore {
  const root = resolve(directory);
  const pathOf = (key: string): string => {
    if (!KEY.test(key)) throw new ChunkStoreError(`"${key}" is not a chunk key`);
    return join(root, `${key}.chunk`);
  };
  const failure = (what: string, error: unknown): ChunkStoreError => new ChunkStoreError(`cannot ${what} in the chunk store ${root}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);

  return {
    location: root,
    async ready() {
      const probe = join(root, `.probe-${hostname()}-${process.pid}`);
      try {
        await mkdir(root, { recursive: true });
        await writeFile(probe, '');
        await rm(probe, { force: true });
      } catch (error) {
        throw failure('write', error);
      }
    },
    async has(key) {
      try {
        return (await stat(pathOf(key))).isFile();
      } catch {
        return false;
      }
    },
    async create(key, header): Promise<ChunkWriter> {
      const path = pathOf(key);
      const temporary = `${path}.${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}.partial`;
      try {
        await mkdir(join(path, '..'), { recursive: true });
      } catch (error) {
        throw failure(`write ${describeChunk(header)}`, error);
      }
      const file = createWriteStream(temporary);
      // Level 1: most of the saving for a fraction of the time (frames are rendered once, read once).
      const gzip = createGzip({ level: constants.Z_BEST_SPEED });
      gzip.pipe(file);
      let broken: unknown;
      const done = finished(file).catch((error: unknown) => {
        broken ??= error;
      });
      gzip.on('error', (error) => (broken ??= error));
      gzip.write(`${JSON.stringify(header)}\n`);
      const check = (): void => {
        if (broken) throw failure(`write ${describeChunk(header)}`, broken);
      };
      return {
        async write(frame) {
          check();
          // The frame's buffer is reused once this resolves: gzip gets its own copy.
          if (!gzip.write(Buffer.from(frame))) await Promise.race([once(gzip, 'drain'), done]);
          check();
        },
        async commit() {
          gzip.end();
          await done;
          check();
          try {
            await rename(temporary, path);
          } catch (error) {
            throw failure(`write ${describeChunk(header)}`, error);
          }
        },
        async abort() {
          gzip.destroy();
          file.destroy();
          // The file opens asynchronously: removing it before the stream has
          // closed could let the open create it again afterwards.
          await done;
          await rm(temporary, { force: true });
        },
      };
    },
    async *read(key, expected, signal) {
      const path = pathOf(key);
      const reader = new ExactReader(createReadStream(path).pipe(createGunzip({ chunkSize: 1 << 20 })));
      const damaged = (what: string): ChunkStoreError => new ChunkStoreError(`chunk ${path} ${what}`);
      try {
        let header: ChunkHeader | null;
        try {
          header = JSON.parse((await reader.line(4096)) ?? 'null') as ChunkHeader | null;
        } catch (error) {
          if (error instanceof SyntaxError) throw damaged('has no readable header');
          throw error;
        }
        const fields: Array<keyof ChunkHeader> = ['sceneHash', 'start', 'end', 'width', 'height'];
        const wrong = fields.filter((f) => header?.[f] !== expected[f]);
        if (wrong.length > 0) throw damaged(`is not the chunk expected (${wrong.map((f) => `${f} ${header?.[f]}, expected ${expected[f]}`).join('; ')})`);
        const frameBytes = expected.width * expected.height * 4;
        for (let i = expected.start; i < expected.end; i++) {
          if (signal?.aborted) throw signal.reason;
          const frame = await reader.read(frameBytes);
          if (!frame) throw damaged(`ends before frame ${i}`);
          yield frame;
        }
        if (!(await reader.atEnd())) throw damaged('holds more than its frames');
      } catch (error) {
        if (error instanceof ChunkStoreError || signal?.aborted) throw error;
        // zlib's codes (Z_DATA_ERROR, Z_BUF_ERROR) mean damage; the file system's (ENOENT, EACCES) an unreadable store.
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (code.startsWith('Z_')) throw damaged(`is damaged (${(error as Error).message})`);
        throw failure(`read ${describeChunk(expected)}`, error);
      } finally {
        reader.close();
      }
    },
    async removeScene(sceneHash) {
      if (!/^[0-9a-f]{16}$/.test(sceneHash)) throw new ChunkStoreError(`"${sceneHash}" is not a scene hash`);
      await rm(join(root, sceneHash), { recursive: true, force: true });
    },
  };
}
