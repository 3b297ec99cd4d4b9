/**
 * The one way the project reads a file a person (or a stored scene) names:
 * scene and weights files, outputs read back for --from, preview files.
 *
 * Only regular files are read. A named pipe would make a read wait for a
 * writer that may never come (and a synchronous read cannot be interrupted:
 * it freezes the process, signals included); a device such as /dev/zero or
 * /dev/urandom never ends; a socket or a folder is no file at all. So the
 * path's type is checked before it is opened, the file is opened with
 * O_NONBLOCK (should a pipe be put in its place between the check and the
 * open, the open returns at once) and its type is checked again on the open
 * descriptor. Reads stop at the caller's limit whatever the file's size
 * claims: files under /proc say 0 bytes and hold more, and a file may grow
 * while it is read.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { UserError, type Text } from '../errors.js';

/** A file that is not what the caller needs: missing, not a regular file, too large, unreadable, or damaged inside. */
export class FileInputError extends UserError {
  constructor(
    message: Text,
    readonly reason: 'missing' | 'not-regular' | 'too-large' | 'unreadable' | 'damaged',
    hint?: Text,
  ) {
    super(message, hint);
    this.name = 'FileInputError';
  }
}

/** "4 MB", "512 KB": how limits are named in messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/** What a non-regular file is, in words. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(subject: string, stats: Stats): FileInputError {
  return new FileInputError(`${subject} is ${kindOf(stats)}, not a regular file; only regular files are read`, 'not-regular');
}

function systemError(subject: string, error: unknown): FileInputError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new FileInputError(`${subject} does not exist`, 'missing');
    case 'ENOTDIR':
      return new FileInputError(`${subject} does not exist (a part of its path is not a folder)`, 'missing');
    case 'EACCES':
    case 'EPERM':
      return new FileInputError(`${subject} cannot be read: permission denied`, 'unreadable');
    case 'ELOOP':
      return new FileInputError(`${subject} cannot be read: its symbolic links go round in a loop`, 'unreadable');
    case 'ENAMETOOLONG':
      return new FileInputError(`${subject} cannot be read: the name is too long`, 'unreadable');
    default:
      return new FileInputError(`${subject} cannot be read (${code ?? (error as Error).message})`, 'unreadable');
  }
}

/**
 * Refuses anything but an existing regular file, without opening it: for a
 * path handed to another program (ffmpeg) or read by a library.
 */
export function requireRegularFile(path: string, subject: string): Stats {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw systemError(subject, error);
  }
  if (!stats.isFile()) throw notRegular(subject, stats);
  return stats;
}

/** Bytes read at offsets, each read checked against the size: an open file, or one already in memory. */
export interface ByteSource {
  readonly size: number;
  /** Names the file in messages. */
  readonly subject: string;
  read(offset: number, length: number): Buffer;
}

function pastTheEnd(subject: string, offset: number, length: number, size: number): FileInputError {
  return new FileInputError(`${subject} is damaged: it claims ${length} bytes at byte ${offset}, past its end (${size} bytes)`, 'damaged');
}

const inRange = (offset: number, length: number, size: number): boolean => Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= size;

/** A file already in memory, read like an open one. */
export class BufferSource implements ByteSource {
  constructor(
    private readonly data: Buffer,
    readonly subject: string,
  ) {}

  get size(): number {
    return this.data.length;
  }

  read(offset: number, length: number): Buffer {
    if (!inRange(offset, length, this.data.length)) throw pastTheEnd(this.subject, offset, length, this.data.length);
    return this.data.subarray(offset, offset + length);
  }
}

/** An open regular file read at offsets; every read is checked against the file's size. */
export class RegularFile implements ByteSource {
  private constructor(
    private readonly fd: number,
    /** The size when it was opened. */
    readonly size: number,
    readonly subject: string,
  ) {}

  static open(path: string, subject: string): RegularFile {
    requireRegularFile(path, subject);
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (error) {
      throw systemError(subject, error);
    }
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile()) throw notRegular(subject, stats);
      return new RegularFile(fd, stats.size, subject);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Exactly `length` bytes at `offset`; a range past the end means the file is damaged (or shrank). */
  read(offset: number, length: number): Buffer {
    if (!inRange(offset, length, this.size)) throw pastTheEnd(this.subject, offset, length, this.size);
    const data = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, data, done, length - done, offset + done);
      if (n === 0) throw new FileInputError(`${this.subject} ended early: it shrank while it was read`, 'damaged');
      done += n;
    }
    return data;
  }

  /** The whole file, refused when it is larger than `limit` (counted as it is read, not only from its size). */
  readAll(limit: number, limitName: string): Buffer {
    const tooLarge = (): FileInputError =>
      new FileInputError(`${this.subject} is larger than ${formatBytes(limit)}; ${limitName} may be at most ${formatBytes(limit)}`, 'too-large');
    if (this.size > limit) throw tooLarge();
    // One byte beyond the limit tells a file that is too large from one exactly at it.
    let data = Buffer.allocUnsafe(Math.min(limit + 1, Math.max(this.size + 1, 64 * 1024)));
    let length = 0;
    for (;;) {
      if (length === data.length) {
        const grown = Buffer.allocUnsafe(Math.min(limit + 1, data.length * 2));
        data.copy(grown, 0, 0, length);
        data = grown;
      }
      const n = readSync(this.fd, data, length, data.length - length, length);
      if (n === 0) return data.subarray(0, length);
      length += n;
      if (length > limit) throw tooLarge();
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Runs `use` on the opened file and closes it, whatever happens. */
export function withRegularFile<T>(path: string, subject: string, use: (file: RegularFile) => T): T {
  const file = RegularFile.open(path, subject);
  try {
    return use(file);
  } finally {
    file.close();
  }
}

/**
 * A whole regular file of at most `limit` bytes. `subject` names it in
 * messages ("weights file w.json"); `limitName` says what the limit is for
 * ("weights files").
 */
export function readRegularFile(path: string, subject: string, limit: number, limitName: string): Buffer {
  return withRegularFile(path, subject, (file) => file.readAll(limit, limitName));
}
