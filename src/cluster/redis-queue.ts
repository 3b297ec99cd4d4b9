/**
 * The one module that knows BullMQ and ioredis: the queue's name, how to
 * connect from a redis:// or rediss:// URL (password and TLS travel in the
 * URL), and the job settings every chunk gets.
 */
import { Queue, Worker, UnrecoverableError, type Job, type JobsOptions, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { redactedUrl } from './redis-url.js';

export { UnrecoverableError, type Job };

export const QUEUE_NAME = 'cppn-motion-chunks';

/**
 * A worker holds a chunk's lock and renews it every half lockDuration; when a
 * worker dies the lock lapses and the next stall check (every stalledInterval)
 * hands the chunk to another worker. Short enough that a lost worker costs
 * seconds, long enough that a busy machine keeps its locks.
 */
export const LOCK_MS = 10_000;
export const STALL_CHECK_MS = 5_000;

export const CHUNK_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'fixed', delay: 1000 },
  // Finished chunks stay an hour: the coordinator reads which worker rendered one that is
  // not in its store (a worker with another --store), and a restarted render sees them.
  removeOnComplete: { age: 3600, count: 10_000 },
  // Failed chunks stay a day, for `doctor --redis` and for the message the coordinator shows.
  removeOnFail: { age: 24 * 3600 },
};

export interface ConnectionOptions {
  /**
   * Commands wait for a lost connection forever (what a BullMQ worker needs:
   * it reconnects and carries on), or fail at once so the caller can say that
   * Redis is gone (what the coordinator and doctor need).
   */
  waitForever: boolean;
}

export function connect(url: string, options: ConnectionOptions): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: options.waitForever ? null : 1,
    enableOfflineQueue: options.waitForever,
    // Reconnect every second at most: a Redis restart is noticed quickly.
    retryStrategy: (times) => Math.min(times * 200, 1000),
    lazyConnect: true,
  });
  // Connection errors also reach the callers' commands; without a listener ioredis prints them.
  redis.on('error', (error: Error) => lastErrors.set(redis, error.message || (error as NodeJS.ErrnoException).code || String(error)));
  return redis;
}

const lastErrors = new WeakMap<Redis, string>();

/** Connects, or fails within `timeoutMs` saying why (ioredis alone says only "Connection is closed"). */
export async function connectNow(redis: Redis, url: string, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, fail) => {
        timer = setTimeout(() => fail(new Error('no answer')), timeoutMs);
      }),
    ]);
  } catch (error) {
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${redactedUrl(url)}: ${lastErrors.get(redis) ?? (error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

export function chunkQueue(connection: Redis): Queue {
  return new Queue(QUEUE_NAME, { connection });
}

export function chunkWorker(connection: Redis, processor: Processor, concurrency: number, name: string): Worker {
  return new Worker(QUEUE_NAME, processor, { connection, concurrency, lockDuration: LOCK_MS, stalledInterval: STALL_CHECK_MS, maxStalledCount: 2, name, autorun: false });
}
