/**
 * The one module that knows BullMQ and ioredis: the queues' names, how to
 * connect from a redis:// or rediss:// URL (password and TLS travel in the
 * URL), the job settings every job gets, the queue's events, and a worker
 * that turns a job it cannot even read into a refusal.
 */
import { Queue, QueueEvents, Worker, UnrecoverableError, type Job, type JobJson, type JobsOptions, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import type { PixelBackend } from '../render/pixel-backend.js';
import { REDIS_PASSWORD_VARIABLE, redactedUrl } from '../scene/options/redis-url.js';

export { UnrecoverableError, type Job, type QueueEvents };

/**
 * Each pixel backend's jobs wait in a queue of their own, where only the
 * workers that serve that backend listen: a GPU job waits for a GPU worker
 * instead of failing on a CPU one, and a video is never a mix. (BullMQ's
 * workers cannot pick jobs by name within one queue.) The CPU's queue keeps
 * the name it had before there were others.
 */
const QUEUE_NAMES: Record<PixelBackend, string> = { cpu: 'cppn-motion-chunks', gpu: 'cppn-motion-chunks-gpu' };

export function queueName(backend: PixelBackend): string {
  return QUEUE_NAMES[backend];
}

/**
 * A worker holds a job's lock and renews it every half lockDuration; when a
 * worker dies the lock lapses and the next stall check (every stalledInterval,
 * half the lock here) hands the job to another worker. The default is short
 * enough that a lost worker costs seconds, long enough that a busy machine
 * keeps its locks; `worker --lock-seconds` changes it for one worker.
 */
export const DEFAULT_LOCK_SECONDS = 10;

export const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'fixed', delay: 1000 },
  // Finished jobs stay an hour: the coordinator reads which worker made a piece that is
  // not in its store (a worker with another --store), and a restarted render sees them.
  removeOnComplete: { age: 3600, count: 10_000 },
  // Failed jobs stay a day, for `doctor --redis` and for the message the coordinator shows.
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

/** The password from REDIS_PASSWORD_VARIABLE, for a URL that carries none. */
function passwordFromEnvironment(url: string): { password?: string } {
  const password = process.env[REDIS_PASSWORD_VARIABLE];
  return password && new URL(url).password === '' ? { password } : {};
}

export function connect(url: string, options: ConnectionOptions): Redis {
  const redis = new Redis(url, {
    ...passwordFromEnvironment(url),
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
    const why = lastErrors.get(redis) ?? (error as Error).message;
    throw new Error(`cannot reach Redis at ${redactedUrl(url)}: ${why}${passwordHint(why)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Connection trouble, which the connection's owner reports once per outage (ioredis retries every second and would repeat it). */
export function isConnectionError(error: Error): boolean {
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|Connection is closed|Stream isn't writeable|connect ETIMEDOUT|NOAUTH|WRONGPASS/i.test(error.message);
}

/** What to add to a refusal of Redis's for want of the right password: where the password may be given. */
export function passwordHint(message: string): string {
  return /NOAUTH|WRONGPASS/.test(message) ? ` (give its password in the URL, redis://:password@host:6379, or in the environment variable ${REDIS_PASSWORD_VARIABLE}, which keeps it out of the process list)` : '';
}

/**
 * Without a listener, BullMQ prints every 'error' (a stack trace a second
 * while Redis is down). Connection trouble is reported by whoever owns the
 * connection, once; anything else goes to `report`.
 */
function quiet<T extends { on(event: 'error', listener: (error: Error) => void): unknown }>(emitter: T, report?: (message: string) => void): T {
  emitter.on('error', (error: Error) => {
    if (!isConnectionError(error)) report?.(error.message);
  });
  return emitter;
}

/** The queue of one backend's jobs. */
export function jobQueue(connection: Redis, backend: PixelBackend, report?: (message: string) => void): Queue {
  return quiet(new Queue(queueName(backend), { connection }), report);
}

/** A queue's events (completed, failed, progress of every job), on a connection of their own (they block on Redis). */
export function jobEvents(url: string, backend: PixelBackend, report?: (message: string) => void): QueueEvents {
  return quiet(new QueueEvents(queueName(backend), { connection: connect(url, { waitForever: true }), autorun: true }), report);
}

/** What a job that cannot be read carries instead (see ReadingWorker). */
export const UNREADABLE = 'unreadable';

/**
 * A worker that reads every job it is handed. BullMQ parses a job's data
 * before the processor sees it; data that is not JSON throws there, and the
 * job stays active, is found stalled, and is handed out again, for ever. Here
 * such a job reaches the processor as { unreadable: why }, which it refuses:
 * the job fails once, is reported once, and leaves the queue's active list.
 */
class ReadingWorker extends Worker {
  protected override createJob(data: JobJson, jobId: string): Job {
    const readable = (text: string | undefined): boolean => {
      try {
        JSON.parse(text || '{}');
        return true;
      } catch {
        return false;
      }
    };
    let json = data;
    if (!readable(json.data)) json = { ...json, data: JSON.stringify({ [UNREADABLE]: 'the job data is not JSON' }) };
    // Options may come parsed already; only text that is not JSON is replaced.
    const opts: unknown = json.opts;
    if (typeof opts === 'string' && !readable(opts)) json = { ...json, opts: '{}' as unknown as JobJson['opts'] };
    return super.createJob(json, jobId);
  }
}

/** A worker of one backend's queue (a process serving several backends runs one each). */
export function jobWorker(connection: Redis, backend: PixelBackend, processor: Processor, concurrency: number, lockSeconds: number, name: string, report: (message: string) => void): Worker {
  const lockDuration = lockSeconds * 1000;
  return quiet(new ReadingWorker(queueName(backend), processor, { connection, concurrency, lockDuration, stalledInterval: lockDuration / 2, maxStalledCount: 2, name, autorun: false }), report);
}
