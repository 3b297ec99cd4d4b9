/**
 * A worker process's side of the cluster: takes chunk jobs from the queue,
 * checks each one (a worker renders only well-formed scene payloads), renders
 * its frames on this machine's threads through the frame scheduler and writes
 * them as one chunk into the store. A chunk already in the store is not
 * rendered again.
 */
import { hostname } from 'node:os';
import { createLocalBackend } from '../render/local-backend.js';
import { scheduleFrames } from '../render/scheduler.js';
import { acceptChunkJob, RejectedJobError } from './chunk-job.js';
import { describeChunk, type ChunkStore } from './chunk-store.js';
import { chunkWorker, connect, UnrecoverableError, type Job } from './redis-queue.js';
import { redactedUrl } from './redis-url.js';

export interface ChunkWorkerOptions {
  redisUrl: string;
  store: ChunkStore;
  /** Chunks rendered at once (default 1); they share the threads. */
  concurrency?: number;
  /** Threads (default: one per core). */
  threads?: number;
  /** One line per event: chunk started, done, failed; connection lost and back. */
  log: (line: string) => void;
}

export interface ChunkWorkerResult {
  worker: string;
  frames: number;
  reused: boolean;
}

export interface RunningWorker {
  readonly name: string;
  /** Stops taking chunks; with `force`, also drops the ones in hand (they go back to the queue once their lock lapses). */
  close(force?: boolean): Promise<void>;
}

export async function startChunkWorker(options: ChunkWorkerOptions): Promise<RunningWorker> {
  const name = `${hostname()}:${process.pid}`;
  await options.store.ready();
  const where = redactedUrl(options.redisUrl);
  const backend = createLocalBackend({ workers: options.threads });
  const connection = connect(options.redisUrl, { waitForever: true });
  let connected = false;
  let closing = false;
  connection.on('ready', () => {
    if (!connected) options.log(`connected to ${where}`);
    connected = true;
    complained = false;
  });
  let complained = false;
  connection.on('error', (error: Error) => {
    // Once per outage: ioredis retries every second and would repeat it.
    if (!connected && !complained && !closing) options.log(`cannot reach ${where} (${error.message || 'no answer'}); retrying…`);
    complained = true;
  });
  connection.on('close', () => {
    if (connected && !closing) options.log(`lost ${where}; reconnecting…`);
    connected = false;
  });

  const processor = async (job: Job): Promise<ChunkWorkerResult> => {
    let accepted;
    try {
      accepted = acceptChunkJob(job.data);
    } catch (error) {
      options.log(`refused job ${job.id}: ${(error as Error).message}`);
      // A malformed job fails the same way every time: no retries.
      if (error instanceof RejectedJobError) throw new UnrecoverableError(`${error.message} (refused by ${name})`);
      throw error;
    }
    const { loaded, range, key } = accepted;
    const what = `${loaded.model.name} ${describeChunk(range)}`;
    if (await options.store.has(key)) {
      options.log(`${what}: already in the store`);
      return { worker: name, frames: 0, reused: true };
    }
    options.log(`${what}: rendering (attempt ${job.attemptsMade + 1})`);
    const started = performance.now();
    const writer = await options.store.create(key, { sceneHash: key.split('/')[0], ...range, width: loaded.model.width, height: loaded.model.height }).catch((error: unknown) => {
      options.log(`${what}: failed: ${(error as Error).message}`);
      throw error;
    });
    let lastProgress = 0;
    try {
      const frames = scheduleFrames(backend, loaded, {
        range,
        onProgress: (p) => {
          // A few progress updates per chunk are plenty; each is a Redis round trip.
          if (p.done === p.total || performance.now() - lastProgress > 500) {
            lastProgress = performance.now();
            void job.updateProgress(p.done).catch(() => undefined);
          }
        },
      });
      for await (const frame of frames) await writer.write(frame);
      await writer.commit();
    } catch (error) {
      await writer.abort();
      options.log(`${what}: failed: ${(error as Error).message}`);
      throw error;
    }
    const frames = range.end - range.start;
    options.log(`${what}: done in ${((performance.now() - started) / 1000).toFixed(1)} s (${frames} frames)`);
    return { worker: name, frames, reused: false };
  };

  const worker = chunkWorker(connection, processor, options.concurrency ?? 1, name);
  worker.on('error', (error: Error) => {
    // Connection trouble is reported once by the connection's own listeners; anything else is worth a line.
    if (!/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection is closed/i.test(error.message)) options.log(`queue: ${error.message}`);
  });
  void worker.run().catch((error: unknown) => options.log(`worker stopped: ${(error as Error).message}`));
  options.log(`worker ${name}: ${backend.description}, ${options.concurrency ?? 1} chunk${(options.concurrency ?? 1) === 1 ? '' : 's'} at a time, store ${options.store.location}, queue at ${where}`);
  return {
    name,
    async close(force = false) {
      closing = true;
      if (connection.status !== 'ready') {
        // Without Redis there is no one to hand a chunk back to (and BullMQ would wait for
        // Redis forever): stop now; the chunk's lock lapses and another worker takes it.
        connection.disconnect();
        force = true;
      }
      await worker.close(force);
      await backend.close();
      connection.disconnect();
    },
  };
}
