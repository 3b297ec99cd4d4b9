/**
 * Where coded pieces travel between workers and the coordinator: a store of
 * objects, each a small folder of files (a piece of every format with its
 * record, or a series item's outputs), filed under a key
 * `<16 hex digits>/<name>`. Pixels never go through Redis; the queue carries
 * only jobs. What the files mean is piece-record.ts's business, not the
 * store's: a shared directory is the first store, and an S3-compatible
 * bucket would be another implementation of this interface.
 */

/** An object being written: a folder on this machine to fill, then made visible under its key, whole. */
export interface StoreWriter {
  readonly folder: string;
  /** Makes the object visible under its key; one already there (another worker's copy) is kept. */
  commit(): Promise<void>;
  /** Drops what was written; nothing appears under the key. */
  abort(): Promise<void>;
}

/** An object to read: its folder on this machine (the store's own, or a copy fetched from the store). */
export interface StoreReader {
  readonly folder: string;
  /** Gives back a copy fetched for reading; the object stays in the store. */
  release(): Promise<void>;
}

export interface ChunkStore {
  /** For messages, e.g. the directory's path. */
  readonly location: string;
  /** Checks that objects can be written here (fails with the reason otherwise). */
  ready(): Promise<void>;
  /** Whether a complete object exists under `key`. */
  has(key: string): Promise<boolean>;
  create(key: string): Promise<StoreWriter>;
  /** The object under `key`; fails when it is missing. */
  open(key: string): Promise<StoreReader>;
  /** Removes the object under `key` (a series item, once placed). */
  remove(key: string): Promise<void>;
  /** Removes every object filed under a set's 16-digit prefix (a video's pieces, once its outputs are written). */
  removeSet(set: string): Promise<void>;
}

/** Store keys: a 16-digit set, then a name of letters, digits, dots and dashes. Nothing else can point outside the store. */
export const STORE_KEY = /^[0-9a-f]{16}\/[A-Za-z0-9][A-Za-z0-9.-]*$/;
export const STORE_SET = /^[0-9a-f]{16}$/;

export function describeRange(range: { start: number; end: number }): string {
  return `frames ${range.start}–${range.end - 1}`;
}
