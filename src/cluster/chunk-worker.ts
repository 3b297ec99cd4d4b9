/**
 * A worker process's side of the cluster: takes jobs from the queues of the
 * pixel backends it serves, checks each one (a worker does only well-formed
 * jobs made by its own version, for a backend it serves, with its ffmpeg),
 * and does it on this machine exactly as a render on this machine would:
 * - a piece: renders its frames and codes them into a piece of every format,
 *   written into the chunk store with its record;
 * - a series item: renders and codes the whole video, and its thumbnail,
 *   into the store;
 * - settings: decides the encoding settings from the video's first frames
 *   (a GIF's size budget) and returns them.
 * What is already in the store is not done again.
 *
 * A worker with a GPU serves both backends: GPU jobs on its GPU, CPU jobs on
 * its threads (started when the first CPU job comes). A worker without one
 * listens only where CPU jobs wait, so a GPU job never reaches it.
 */
import { hostname } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { killAllFfmpeg } from '../encode/ffmpeg.js';
import { outputFormat } from '../encode/formats/index.js';
import { createFrameBackend, decideBackend, type BackendRequest, type ChosenBackend } from '../render/backend-choice.js';
import type { FrameBackend } from '../render/frame-backend.js';
import { pixelBackendWords, type PixelBackend } from '../render/pixel-backend.js';
import { defaultWorkerCount } from '../render/pool.js';
import { renderStill } from '../render/still.js';
import { renderVideo } from '../render/video.js';
import { applyOverrides, type Format } from '../scene/index.js';
import { VERSION } from '../tool-version.js';
import { acceptClusterJob, MismatchedJobError, RejectedJobError, type AcceptedJob } from './chunk-job.js';
import { describeRange, type ChunkStore, type StoreWriter } from './chunk-store.js';
import { storedBytes, writeRecord, type StoredFile } from './piece-record.js';
import { connect, DEFAULT_LOCK_SECONDS, jobWorker, passwordHint, UnrecoverableError, type Job } from './redis-queue.js';
import { redactedUrl } from '../scene/options/redis-url.js';
import { UserError, type Text } from '../errors.js';
import { ChunkStoreError } from './cluster-error.js';

export interface ChunkWorkerOptions {
  redisUrl: string;
  store: ChunkStore;
  /**
   * Jobs done at once (default DEFAULT_CONCURRENCY); they share the threads.
   * Two keep the threads rendering while one job's encoders finish and its
   * piece is stored.
   */
  concurrency?: number;
  /** Threads for CPU jobs (default: one per core). */
  threads?: number;
  /**
   * How long a job stays this worker's after it stops renewing it (a crash,
   * a lost network) before another worker takes it (default DEFAULT_LOCK_SECONDS).
   */
  lockSeconds?: number;
  /**
   * Which backends it serves (default auto): cpu, its threads only; gpu, its
   * GPU and its threads (no adapter at all is a UserError); auto, as gpu
   * when a hardware GPU is there, else as cpu.
   */
  backend?: BackendRequest;
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
 * version and the backends it serves, with its GPU adapter, which `doctor
 * --redis` shows. A client name holds no spaces: the adapter's name is
 * written as in a URL.
 */
export function workerName(serves: readonly PixelBackend[], adapter?: string): string {
  const tags = serves.map((backend) => (backend === 'gpu' && adapter ? `gpu=${encodeURIComponent(adapter)}` : backend));
  return `${hostname()}:${process.pid}:cppn-motion@${VERSION}:${tags.join('+')}`;
}

export interface WorkerDescription {
  /** "host:pid". */
  who: string;
  version?: string;
  /** The backends it serves, e.g. ['gpu', 'cpu']. */
  serves?: string[];
  adapter?: string;
  /** In words: "GPU jobs on NVIDIA H100 …, and CPU jobs", "CPU jobs only". */
  backends?: string;
}

/** A worker's name as doctor shows it: "host:pid", "0.1.0", "GPU jobs on <adapter>, and CPU jobs". */
export function describeWorkerName(name: string): WorkerDescription {
  const match = /^(.*):cppn-motion@([^:]+):(.+)$/.exec(name);
  if (!match) return { who: name };
  let adapter: string | undefined;
  const serves = match[3].split('+').map((tag) => {
    const [backend, encoded] = tag.split('=');
    if (encoded !== undefined) {
      try {
        adapter = decodeURIComponent(encoded);
      } catch {
        adapter = encoded;
      }
    }
    return backend;
  });
  const jobs = serves.map((backend) => `${backend.toUpperCase()} jobs${backend === 'gpu' && adapter ? ` on ${adapter}` : ''}`);
  const backends = jobs.length === 1 ? `${jobs[0]} only` : `${jobs.slice(0, -1).join(', ')}, and ${jobs[jobs.length - 1]}`;
  return { who: match[1], version: match[2], serves, adapter, backends };
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
  // What it serves is settled before it touches anything: `--backend gpu` without a GPU stops here, in words.
  const decision = await decideBackend(options.backend ?? 'auto');
  await options.store.ready();
  const gpu: ChosenBackend | undefined = decision.kind === 'gpu' ? await createFrameBackend(decision) : undefined;
  const serves: PixelBackend[] = gpu ? ['gpu', 'cpu'] : ['cpu'];
  const threads = options.threads ?? defaultWorkerCount();
  // The threads start with the first CPU job on a machine whose GPU may do all the work; at once on one without.
  let cpu: Promise<ChosenBackend> | undefined = gpu ? undefined : createFrameBackend('cpu', { workers: threads });
  // A failure to start them is the first CPU job's to report.
  cpu?.catch(() => undefined);
  const backendFor = async (backend: PixelBackend): Promise<FrameBackend> => {
    if (backend === 'gpu') return gpu!.backend;
    cpu ??= createFrameBackend('cpu', { workers: threads });
    return (await cpu).backend;
  };
  const name = workerName(serves, gpu?.adapter?.name);
  const who = describeWorkerName(name).who;
  const where = redactedUrl(options.redisUrl);
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
    if (!connected && !complained && !closing) options.log(`cannot reach ${where} (${error.message || 'no answer'})${passwordHint(error.message)}; retrying…`);
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

  /**
   * The store is this worker's own: one it cannot write to is its fault, not
   * the job's (another worker may do the job), so it is no user mistake of
   * the job's, which would end the job without retries (see processorFor).
   */
  const storeFault = (error: unknown): unknown => (error instanceof UserError ? new ChunkStoreError(error.message) : error);

  /** Creates the object, fills it with `fill`, writes its record (what `fill` returns) and commits it; aborts on failure. */
  const intoStore = async (what: string, key: string, fill: (writer: StoreWriter) => Promise<Parameters<typeof writeRecord>[1]>): Promise<void> => {
    let writer: StoreWriter;
    try {
      writer = await options.store.create(key);
    } catch (error) {
      const cause = storeFault(error);
      options.log(`${what}: failed: ${(cause as Error).message}`);
      throw cause;
    }
    try {
      const record = await fill(writer);
      try {
        await writeRecord(writer.folder, record);
        await writer.commit();
      } catch (error) {
        throw storeFault(error);
      }
    } catch (error) {
      await writer.abort();
      // A file that could not be written into the store's folder: the store's fault too.
      const cause = inStoreWords(error instanceof Error && error.message.includes(writer.folder) ? storeFault(error) : error, writer);
      options.log(`${what}: failed: ${(cause as Error).message}`);
      throw cause;
    }
  };

  const filesOf = async (folder: string, formats: Format[], name: (format: Format) => string, notes: Partial<Record<Format, Text>> = {}): Promise<Partial<Record<Format, StoredFile>>> => {
    const files: Partial<Record<Format, StoredFile>> = {};
    for (const format of formats) files[format] = { name: name(format), bytes: await storedBytes(join(folder, name(format))), note: notes[format] };
    return files;
  };

  type Progress = (done: number, total: number) => void;

  /**
   * A piece or an item: nothing to do when the store has it already (an
   * earlier attempt, or another worker made it); otherwise `fill` makes it in
   * the store, with the job's progress, and a line says when it starts and
   * when it is done.
   */
  const renderIntoStore = async (
    what: string,
    key: string,
    job: Job,
    backend: PixelBackend,
    frames: number,
    fill: (writer: StoreWriter, progress: Progress) => Promise<Parameters<typeof writeRecord>[1]>,
  ): Promise<ChunkWorkerResult> => {
    if (await options.store.has(key)) {
      options.log(`${what}: already in the store`);
      return { worker: name, frames: 0, reused: true };
    }
    options.log(`${what}: rendering on ${pixelBackendWords(backend)} (attempt ${job.attemptsMade + 1})`);
    const started = performance.now();
    const progress = progressReporter(job);
    await intoStore(what, key, (writer) => fill(writer, progress));
    options.log(`${what}: done in ${((performance.now() - started) / 1000).toFixed(1)} s (${frames} frames)`);
    return { worker: name, frames, reused: false };
  };

  const doPiece = (accepted: Extract<AcceptedJob, { kind: 'piece' }>, job: Job, backend: FrameBackend, signal: AbortSignal): Promise<ChunkWorkerResult> => {
    const { loaded, key, data } = accepted;
    const { range, formats } = data;
    const frames = range.end - range.start;
    return renderIntoStore(`${loaded.model.name} ${describeRange(range)}`, key, job, data.tool.backend, frames, async (writer, progress) => {
      const pieceName = (format: Format): string => outputFormat(format).pieceName;
      let done = 0;
      await backend.encodePiece(
        { loaded, range, formats, settings: data.settings, label: loaded.model.name, piecePath: (format) => join(writer.folder, pieceName(format)) },
        {
          signal,
          onFrames: (count) => {
            done += count;
            progress(done, frames);
          },
        },
      );
      const { width, height } = loaded.model;
      return { kind: 'piece', tool: data.tool, sceneHash: data.sceneHash, key, range, width, height, formats, files: await filesOf(writer.folder, formats, pieceName) };
    });
  };

  const doItem = (accepted: Extract<AcceptedJob, { kind: 'item' }>, job: Job, backend: FrameBackend, signal: AbortSignal): Promise<ChunkWorkerResult> => {
    const { loaded, key, data } = accepted;
    return renderIntoStore(`${loaded.model.name} (whole)`, key, job, data.tool.backend, loaded.model.timeline.frameCount, async (writer, progress) => {
      const video = await renderVideo(loaded, { outStem: join(writer.folder, 'item'), formats: data.formats, backend, signal, onProgress: (p) => progress(p.done, p.total) });
      const names = new Map(video.outputs.map((o) => [o.format, basename(o.path)]));
      const notes = Object.fromEntries(video.outputs.map((o) => [o.format, o.note]));
      let thumbnail;
      if (data.thumbnail) {
        const still = await renderStill(applyOverrides(loaded, { size: data.thumbnail.size }), { at: data.thumbnail.at, backend, signal });
        await writeFile(join(writer.folder, 'thumbnail.rgba'), still.data);
        thumbnail = { name: 'thumbnail.rgba', width: still.width, height: still.height };
      }
      const { width, height } = loaded.model;
      const files = await filesOf(writer.folder, data.formats, (format) => names.get(format)!, notes);
      return { kind: 'item', tool: data.tool, sceneHash: data.sceneHash, key, width, height, formats: data.formats, files, thumbnail };
    });
  };

  /** One job of one backend's queue. `signal` is aborted when the job's lock is lost (see below). */
  const doJob = async (job: Job, queue: PixelBackend, signal: AbortSignal): Promise<unknown> => {
    let accepted: AcceptedJob;
    try {
      accepted = acceptClusterJob(job.data, { serves, queue });
    } catch (error) {
      options.log(`refused job ${job.id}: ${(error as Error).message}`);
      throw error;
    }
    const backend = await backendFor(queue);
    switch (accepted.kind) {
      case 'piece':
        return doPiece(accepted, job, backend, signal);
      case 'item':
        return doItem(accepted, job, backend, signal);
      case 'settings': {
        const { loaded, data } = accepted;
        options.log(`${loaded.model.name}: choosing the encoding settings on ${pixelBackendWords(queue)}`);
        const settings = await backend.encodingSettings(loaded, data.formats, data.pieces, signal);
        return { worker: name, settings };
      }
    }
  };

  /**
   * Takes the jobs of one backend's queue. A user's mistake (a malformed job,
   * one for another version or backend, a scene that cannot be rendered as
   * asked) fails the same way on every attempt: it fails at once, without
   * retries, in its own words.
   */
  const processorFor =
    (queue: PixelBackend) =>
    async (job: Job, _token?: string, lockLost?: AbortSignal): Promise<unknown> => {
      // BullMQ aborts with its reason as text; the work stops with an error that says it.
      const stop = new AbortController();
      lockLost?.addEventListener('abort', () => stop.abort(new Error(`job ${job.id} lost its lock; another worker takes it over`)), { once: true });
      try {
        return await doJob(job, queue, stop.signal);
      } catch (error) {
        if (error instanceof UserError) {
          const by = error instanceof RejectedJobError || error instanceof MismatchedJobError ? 'refused by' : 'on';
          throw new UnrecoverableError(`${error.message} (${by} ${who}, cppn-motion ${VERSION})`);
        }
        throw error;
      }
    };

  const report = (message: string): void => {
    // A job finished while Redis was restarting, and lost with it: the coordinator queues it again.
    const lost = /^Missing key for job (\S+)\. (moveToFinished|moveToDelayed|moveToFailed)/.exec(message);
    options.log(lost ? `job ${lost[1]} was lost with Redis (restarted without it); its coordinator queues it again` : `queue: ${message}`);
  };
  // One BullMQ worker per queue served, on one connection; each does `concurrency` jobs at once.
  const workers = serves.map((backend) => jobWorker(connection, backend, processorFor(backend), concurrency, options.lockSeconds ?? DEFAULT_LOCK_SECONDS, name, report));
  // A job whose lock could not be renewed is no longer this worker's (it is found stalled and handed out
  // again): its rendering stops, and what it wrote is not committed to the store.
  for (const worker of workers) {
    worker.on('lockRenewalFailed', (ids: string[]) => {
      for (const id of ids) {
        options.log(`job ${id}: lost its lock (Redis did not renew it); stopping its work, which another worker takes over`);
        worker.cancelJob(id, `job ${id} lost its lock`);
      }
    });
  }
  for (const worker of workers) void worker.run().catch((error: unknown) => options.log(`worker stopped: ${(error as Error).message}`));
  const threadWords = `${threads} thread${threads === 1 ? '' : 's'}`;
  const jobs = `${concurrency} job${concurrency === 1 ? '' : 's'}`;
  const serving = gpu
    ? `GPU jobs on ${gpu.adapter?.name ?? 'its GPU'} and CPU jobs on ${threadWords} (started with the first CPU job), ${jobs} of each at a time`
    : `CPU jobs only, on ${threadWords} (${decision.note ?? 'the CPU was asked for'}), ${jobs} at a time`;
  options.log(`worker ${who} (cppn-motion ${VERSION}): ${serving}, store ${options.store.location}, queue at ${where}`);
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
      await Promise.all(workers.map((worker) => worker.close(force)));
      // Dropped jobs: their encoders must not go on writing into the store after this process.
      if (force) killAllFfmpeg();
      await gpu?.backend.close();
      await (await cpu?.catch(() => undefined))?.backend.close();
      connection.disconnect();
    },
  };
}
