/** The cluster: jobs on a BullMQ/Redis queue, worker processes that render and code pieces, and the chunk store that carries them. */
export * from './chunk-job.js';
export * from './chunk-store.js';
export * from './chunk-worker.js';
export * from './cluster-backend.js';
export * from './cluster-error.js';
export { createDirectoryStore } from './directory-store.js';
export * from './piece-record.js';
export * from './queue-status.js';
export * from './tool-identity.js';
export { queueName } from './redis-queue.js';
export { checkRedisUrl, redactedUrl } from '../scene/options/redis-url.js';
