/**
 * What goes wrong in the cluster itself (a lost Redis, a piece that failed
 * on every attempt, a store that cannot be read or written): their own
 * module, so that the command line can recognise them without loading the
 * queue's libraries.
 */
import { say, type Text } from '../errors.js';

export class ClusterError extends Error {
  /** The message as written, with the options it names (see UserError). */
  readonly said: Text;

  constructor(message: Text) {
    super(say(message));
    this.name = 'ClusterError';
    this.said = message;
  }
}

/** The chunk store failed (full, unreachable, or holding something damaged). */
export class ChunkStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkStoreError';
  }
}
