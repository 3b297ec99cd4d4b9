/**
 * What goes wrong in the cluster itself (a lost Redis, a chunk that failed
 * on every attempt): its own module, so that the command line can recognise
 * it without loading the queue's libraries.
 */
export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}
