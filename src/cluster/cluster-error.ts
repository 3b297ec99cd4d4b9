/**
 * What goes wrong in the cluster itself (a lost Redis, a piece that failed
 * on every attempt, a store that cannot be read or written): their own
 * module, so that the command line can recognise them without loading the
 * queue's libraries.
 */
export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}

/** The chunk store failed (full, unreachable, or holding something damaged). */
export class ChunkStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkStoreError';
  }
}
