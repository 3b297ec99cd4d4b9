/**
 * Reading the pieces of a join and writing its output, asynchronously and
 * one piece open at a time: a video of many pieces neither runs out of file
 * descriptors nor holds more than one chunk of a piece in memory, and the
 * event loop (progress, a Ctrl-C) keeps running while a large output is
 * written.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Reads `size` bytes at `offset`; a file that ends before is `what`'s "ends early". */
export async function readAt(file: FileHandle, offset: number, size: number, what: string): Promise<Buffer> {
  const data = Buffer.alloc(size);
  for (let done = 0; done < size; ) {
    const { bytesRead } = await file.read(data, done, size - done, offset + done);
    if (bytesRead === 0) throw new Error(`the ${what} ends early`);
    done += bytesRead;
  }
  return data;
}

/** Opens the piece at `path`, runs `work` on it and closes it, whatever happens. */
export async function withPiece<T>(path: string, work: (file: FileHandle) => Promise<T>): Promise<T> {
  const file = await open(path, 'r');
  try {
    return await work(file);
  } finally {
    await file.close();
  }
}

/** The output of a join, written in order from the start (or at a place, for a size patched in at the end). */
export class JoinedFile {
  private position = 0;

  private constructor(private readonly file: FileHandle) {}

  static async create(path: string): Promise<JoinedFile> {
    return new JoinedFile(await open(path, 'w'));
  }

  get size(): number {
    return this.position;
  }

  async write(data: Uint8Array): Promise<void> {
    await this.writeAt(data, this.position);
    this.position += data.length;
  }

  async writeAt(data: Uint8Array, position: number): Promise<void> {
    for (let at = 0; at < data.length; ) {
      const { bytesWritten } = await this.file.write(data, at, data.length - at, position + at);
      at += bytesWritten;
    }
  }

  /** Copies `size` bytes at `offset` of `from` through `buffer` (memory stays one buffer, however large the data). */
  async copy(from: FileHandle, offset: number, size: number, buffer: Buffer, what: string): Promise<void> {
    for (let done = 0; done < size; ) {
      const { bytesRead } = await from.read(buffer, 0, Math.min(buffer.length, size - done), offset + done);
      if (bytesRead === 0) throw new Error(`the ${what} ends early`);
      await this.write(buffer.subarray(0, bytesRead));
      done += bytesRead;
    }
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
