/**
 * Where rendered frames travel between workers and the coordinator: a store
 * of lossless chunk files, one per frame range. Pixels never go through
 * Redis; the queue carries only jobs. A shared directory is the first store;
 * an S3-compatible bucket is another implementation of this interface.
 */

/** What a chunk file says about itself; checked on every read, so a chunk of another scene or range is never mixed in. */
export interface ChunkHeader {
  sceneHash: string;
  start: number;
  end: number;
  width: number;
  height: number;
}

export interface ChunkWriter {
  /** Appends the next frame (RGBA); resolves when the writer can take another. */
  write(frame: Uint8Array): Promise<void>;
  /** Makes the chunk visible under its key, complete. */
  commit(): Promise<void>;
  /** Drops what was written; nothing appears under the key. */
  abort(): Promise<void>;
}

export interface ChunkStore {
  /** For messages, e.g. the directory's path. */
  readonly location: string;
  /** Checks that chunks can be written here (fails with the reason otherwise). */
  ready(): Promise<void>;
  /** Whether a complete chunk exists under `key`. */
  has(key: string): Promise<boolean>;
  create(key: string, header: ChunkHeader): Promise<ChunkWriter>;
  /** The chunk's frames in order; fails when the chunk is missing, damaged or not the one expected. */
  read(key: string, expected: ChunkHeader, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /** Removes every chunk filed under a scene hash (once its render is complete). */
  removeScene(sceneHash: string): Promise<void>;
}

export function describeChunk(header: Pick<ChunkHeader, 'start' | 'end'>): string {
  return `frames ${header.start}–${header.end - 1}`;
}
