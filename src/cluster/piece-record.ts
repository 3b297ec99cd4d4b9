/**
 * What a store object holds and says about itself: a record (record.json)
 * written last into the object's folder, naming the tool that made it (its
 * version, pixel backend and ffmpeg), the scene, the frames, and each file
 * with its size. The coordinator checks the record against what it asked
 * for before using an object, so a piece of another scene, range, version or
 * backend is never mixed in, and a damaged one is noticed.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Format } from '../scene/index.js';
import type { FrameRange } from '../render/frame-backend.js';
import { ChunkStoreError } from './cluster-error.js';
import type { ToolIdentity } from './tool-identity.js';
import type { Text } from '../errors.js';

export const RECORD_FILE = 'record.json';
const RECORD_FORMAT = 1;

export interface StoredFile {
  /** The file (or folder) name within the object. */
  name: string;
  /** Its size; for a folder, the sum of its files' sizes. */
  bytes: number;
  /** What the format chose by itself, worth telling the user (a series item's GIF). */
  note?: Text;
}

export interface StoreRecord {
  record: typeof RECORD_FORMAT;
  kind: 'piece' | 'item';
  tool: ToolIdentity;
  sceneHash: string;
  /** The object's key in the store. */
  key: string;
  /** A piece's frames. */
  range?: FrameRange;
  width: number;
  height: number;
  formats: Format[];
  files: Partial<Record<Format, StoredFile>>;
  /** A series item's thumbnail: raw RGBA. */
  thumbnail?: { name: string; width: number; height: number };
}

/** What the reader expects a record to say. */
export type ExpectedRecord = Omit<StoreRecord, 'record' | 'files' | 'thumbnail'>;

/** The size of a file, or of a folder's files. */
export async function storedBytes(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(path)) total += (await stat(join(path, name))).size;
  return total;
}

/** Writes the record last: an object whose record is there is complete. */
export async function writeRecord(folder: string, record: Omit<StoreRecord, 'record'>): Promise<void> {
  await writeFile(join(folder, RECORD_FILE), `${JSON.stringify({ record: RECORD_FORMAT, ...record })}\n`);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Reads an object's record and checks it: it must say what `expected` says,
 * and every file must be there at its recorded size. Throws ChunkStoreError
 * naming the object and what is wrong.
 */
export async function readRecord(folder: string, expected: ExpectedRecord): Promise<StoreRecord> {
  const damaged = (what: string): ChunkStoreError => new ChunkStoreError(`${expected.key} in the chunk store (${folder}) ${what}`);
  let record: StoreRecord;
  try {
    record = JSON.parse(await readFile(join(folder, RECORD_FILE), 'utf8')) as StoreRecord;
  } catch (error) {
    throw damaged((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'has no record (it is not complete)' : 'has a record that cannot be read');
  }
  if (record?.record !== RECORD_FORMAT) throw damaged(`has a record of format ${String(record?.record)}, not ${RECORD_FORMAT}`);
  const fields: Array<keyof ExpectedRecord> = ['kind', 'tool', 'sceneHash', 'key', 'range', 'width', 'height', 'formats'];
  const wrong = fields.filter((f) => !same(record[f], expected[f]));
  if (wrong.length > 0) throw damaged(`is not the one expected (${wrong.map((f) => `${f} ${JSON.stringify(record[f])}, expected ${JSON.stringify(expected[f])}`).join('; ')})`);
  for (const format of expected.formats) {
    const file = record.files?.[format];
    if (!file || typeof file.name !== 'string' || !/^[\w.-]+$/.test(file.name)) throw damaged(`lacks its ${format}`);
    const bytes = await storedBytes(join(folder, file.name)).catch(() => -1);
    if (bytes !== file.bytes) throw damaged(`is damaged: its ${format} holds ${bytes < 0 ? 'nothing' : `${bytes} bytes`}, not ${file.bytes}`);
  }
  return record;
}
