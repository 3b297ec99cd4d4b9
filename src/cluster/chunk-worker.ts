/**
 * A worker process's side of the cluster: takes jobs from the queue, checks
 * each one (a worker does only well-formed jobs made by its own version,
 * pixel backend and ffmpeg), and does it on this machine's threads exactly
 * as a render on this machine would:
 * - a piece: renders its frames and codes them into a piece of every format,
 *   written into the chunk store with its record;
 * - a series item: renders and codes the whole video, and its thumbnail,
 *   into the store;
 * - settings: decides the encoding settings from the video's first frames
 *   (a GIF's size budget) and returns them.
 * What is already in the store is not done again.
 */
import { hostname } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { killAllFfmpeg } from '../encode/ffmpeg.js';
import { outputFormat } from '../encode/formats/index.js';
import { createLocalBackend, type LocalBackend } from '../render/local-backend.js';
import { availablePixelBackends } from '../render/pixel-backend.js';
import { renderStill } from '../render/still.js';
import { renderVideo } from '../render/video.js';
import { applyOverrides, type Format } from '../scene/index.js';
import { VERSION } from '../tool-version.js';
import { acceptClusterJob, MismatchedJobError, RejectedJobError, type AcceptedJob } from './chunk-job.js';
import { describeRange, type ChunkStore, type StoreWriter } from './chunk-store.js';
import { storedBytes, writeRecord, type StoredFile } from './piece-record.js';
import { connect, jobWorker, UnrecoverableError, type Job } from './redis-queue.js';
import { redactedUrl } from '../scene/options/redis-url.js';
import type { Text } from '../errors.js';

export interface ChunkWorkerOptions {
  redisUrl: string;
  store: ChunkStore;
  /**
   * Jobs done at once (default DEFAULT_CONCURRENCY); they share the threads.
   * Two keep the threads rendering while one job's encoders finish and its
   * piece is stored.
   */
  concurrency?: number;
  /** Threads (default: one per core). */
  threads?: number;
  /** One line per event: job started, done, failed; connection lost and back. */
  log: (line: string) => void;
}

export interface ChunkWorkerResult {
  worker: string;
  /** Frames rendered (0 when the store had the piece already). */
  frames: number;
  reused: boolean;
}

export interface RunningWorker {
  readonly name: string;
  /** Stops taking jobs; with `force`, also drops the ones in hand (they go back to the queue once their lock lapses). */
  close(force?: boolean): Promise<void>;
}

/**
 * How a worker names itself to the queue: host and process, then its
 * version and pixel backends, which `doctor --redis` shows (a client name
 * holds no spaces).
 */
export function workerName(): string {
  return `${hostname()}:${process.pid}:cppn-motion@${VERSION}:${availablePixelBackends().join('+')}`;
}

/** A worker's name as doctor shows it: "host:pid (cppn-motion 0.1.0, cpu)". */
export function describeWorkerName(name: string): { who: string; version?: string; backends?: string } {
  const match = /^(.*):cppn-motion@([^:]+):(.+)$/.exec(name);
  return match ? { who: match[1], version: match[2], backends: match[3].replace(/\+/g, ', ') } : { who: name };
}

/** Progress to the queue a few times a piece, not every frame: each update is a Redis round trip. */
function progressReporter(job: Job): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    if (done === total || performance.now() - last > 500) {
      last = performance.now();
      void job.updateProgress(done).catch(() => undefined);
    }
  };
}

export const DEFAULT_CONCURRENCY = 2;

export async function startChunkWorker(options: ChunkWorkerOptions): Promise<RunningWorker> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const name = workerName();
  const who = describeWorkerName(name).who;
  await options.store.ready();
  const where = redactedUrl(options.redisUrl);
  const backend: LocalBackend = createLocalBackend({ workers: options.threads });
  const connection = connect(options.redisUrl, { waitForever: true });
  let connected = false;
  let closing = false;
  let complained = false;
  connection.on('ready', () => {
    if (!connected) options.log(`connected to ${where}`);
    connected = true;
    complained = false;
  });
  connection.on('error', (error: Error) => {
    // Once per outage: ioredis retries every second and would repeat it.
    if (!connected && !complained && !closing) options.log(`cannot reach ${where} (${error.message || 'no answer'}); retrying…`);
    complained = true;
  });
  connection.on('close', () => {
    if (connected && !closing) options.log(`lost ${where}; reconnecting…`);
    connected = false;
  });

  /** A failure in the store's words: the temporary folder is named as the store, which is what the user knows. */
  const inStoreWords = (error: unknown, writer: StoreWriter): unknown => {
    if (!(error instanceof Error) || !error.message.includes(writer.folder)) return error;
    error.message = error.message.split(writer.folder).join(`the chunk store ${options.store.location}`);
    return error;
  };

  /** Creates the object, fills it with `fill`, writes its record (what `fill` returns) and commits it; aborts on failure. */
  const intoStore = async (what: string, key: string, fill: (writer: StoreWriter) => Promise<Parameters<typeof writeRecord>[1]>): Promise<void> => {
    const writer = await options.store.create(key);
    try {
      await writeRecord(writer.folder, await fill(writer));
      await writer.commit();
    } catch (error) {
      await writer.abort();
      const cause = inStoreWords(error, writer);
      options.log(`${what}: failed: ${(cause as Error).message}`);
      throw cause;
    }
  };

  const filesOf = async (folder: string, formats: Format[], name: (format: Format) => string, notes: Partial<Record<Format, Text>> = {}): Promise<Partial<Record<Format, StoredFile>>> => {
    const files: Partial<Record<Format, StoredFile>> = {};
    for (const format of formats) files[format] = { name: name(format), bytes: await storedBytes(join(folder, name(format))), note: notes[format] };
    return files;
  };

  const doPiece = async (accepted: Extract<AcceptedJob, { kind: 'piece' }>, job: Job): Promise<ChunkWorkerResult> => {
    const { loaded, key, data } = accepted;
    const { range, formats } = data;
    const what = `${loaded.model.name} ${describeRange(range)}`;
    if (await options.store.has(key)) {
      options.log(`${what}: already in the store`);
      return { worker: name, frames: 0, reused: true };
    }
    options.log(`${what}: rendering (attempt ${job.attemptsMade + 1})`);
    const started = performance.now();
    const progress = progressReporter(job);
    const frames = range.end - range.start;
    let done = 0;
    await intoStore(what, key, async (writer) => {
      const pieceName = (format: Format): string => outputFormat(format).pieceName;
      await backend.encodePiece(
        { loaded, range, formats, settings: data.settings, label: loaded.model.name, piecePath: (format) => join(writer.folder, pieceName(format)) },
        {
          signal: new AbortController().signal,
          onFrames: (count) => {
            done += count;
            progress(done, frames);
          },
        },
      );
      const { width, height } = loaded.model;
      return { kind: 'piece', tool: data.tool, sceneHash: data.sceneHash, key, range, width, height, formats, files: await filesOf(writer.folder, formats, pieceName) };
    });
    options.log(`${what}: done in ${((performance.now() - started) / 1000).toFixed(1)} s (${frames} frames)`);
    return { worker: name, frames, reused: false };
  };

  const doItem = async (accepted: Extract<AcceptedJob, { kind: 'item' }>, job: Job): Promise<ChunkWorkerResult> => {
    const { loaded, key, data } = accepted;
    const what = `${loaded.model.name} (whole)`;
    if (await options.store.has(key)) {
      options.log(`${what}: already in the store`);
      return { worker: name, frames: 0, reused: true };
    }
    options.log(`${what}: rendering (attempt ${job.attemptsMade + 1})`);
    const started = performance.now();
    const progress = progressReporter(job);
    const frames = loaded.model.timeline.frameCount;
    await intoStore(what, key, async (writer) => {
      const video = await renderVideo(loaded, { outStem: join(writer.folder, 'item'), formats: data.formats, backend, onProgress: (p) => progress(p.done, p.total) });
      const names = new Map(video.outputs.map((o) => [o.format, basename(o.path)]));
      const notes = Object.fromEntries(video.outputs.map((o) => [o.format, o.note]));
      let thumbnail;
      if (data.thumbnail) {
        const still = await renderStill(applyOverrides(loaded, { size: data.thumbnail.size }), { at: data.thumbnail.at, backend });
        await writeFile(join(writer.folder, 'thumbnail.rgba'), still.data);
        thumbnail = { name: 'thumbnail.rgba', width: still.width, height: still.height };
      }
      const { width, height } = loaded.model;
      const files = await filesOf(writer.folder, data.formats, (format) => names.get(format)!, notes);
      return { kind: 'item', tool: data.tool, sceneHash: data.sceneHash, key, width, height, formats: data.formats, files, thumbnail };
    });
    options.log(`${what}: done in ${((performance.now() - started) / 1000).toFixed(1)} s (${frames} frames)`);
    return { worker: name, frames, reused: false };
  };

  const processor = async (job: Job): Promise<unknown> => {
    let accepted: AcceptedJob;
    try {
      accepted = acceptClusterJob(job.data);
    } catch (error) {
      options.log(`refused job ${job.id}: ${(error as Error).message}`);
      // A malformed job, or one for another version, fails the same way every time: no retries.
      if (error instanceof RejectedJobError || error instanceof MismatchedJobError) throw new UnrecoverableError(`${error.message} (refused by ${who}, cppn-motion ${VERSION})`);
      throw error;
    }
    switch (accepted.kind) {
      case 'piece':
        return doPiece(accepted, job);
      case 'item':
        return doItem(accepted, job);
      case 'settings': {
        const { loaded, data } = accepted;
        options.log(`${loaded.model.name}: choosing the encoding settings`);
        const settings = await backend.encodingSettings(loaded, data.formats, data.pieces);
        return { worker: name, settings };
      }
    }
  };

  const worker = jobWorker(connection, processor, concurrency, name, (message) => {
    // A job finished while Redis was restarting, and lost with it: the coordinator queues it again.
    const lost = /^Missing key for job (\S+)\. (moveToFinished|moveToDelayed|moveToFailed)/.exec(message);
    options.log(lost ? `job ${lost[1]} was lost with Redis (restarted without it); its coordinator queues it again` : `queue: ${message}`);
  });
  void worker.run().catch((error: unknown) => options.log(`worker stopped: ${(error as Error).message}`));
  options.log(`worker ${who} (cppn-motion ${VERSION}): ${backend.description}, ${concurrency} job${concurrency === 1 ? '' : 's'} at a time, store ${options.store.location}, queue at ${where}`);
  return {
    name,
    async close(force = false) {
      closing = true;
      if (connection.status !== 'ready') {
        // Without Redis there is no one to hand a job back to (and BullMQ would wait for
        // Redis forever): stop now; the job's lock lapses and another worker takes it.
        connection.disconnect();
        force = true;
      }
      await worker.close(force);
      // Dropped jobs: their encoders must not go on writing into the store after this process.
      if (force) killAllFfmpeg();
      await backend.close();
      connection.disconnect();
    },
  };
}
