/** The cluster: chunk jobs on a BullMQ/Redis queue, worker processes, and the chunk store that carries the frames. */
export * from './chunk-job.js';
export * from './chunk-store.js';
export * from './chunk-worker.js';
export * from './cluster-backend.js';
export * from './cluster-error.js';
export * from './directory-store.js';
export * from './queue-status.js';
export { QUEUE_NAME } from './redis-queue.js';
export { checkRedisUrl, redactedUrl } from './redis-url.js';
