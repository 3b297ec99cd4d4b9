/**
 * The cluster backend, the coordinator's side. Each piece of a video is
 * queued as a job that carries its whole scene; worker processes anywhere
 * render and code it into the chunk store; the coordinator learns that it is
 * done from the queue's events and joins the pieces into the outputs
 * (render/video.ts) — it codes nothing itself. A series item goes to one
 * worker whole, and its outputs are put in place from the store. Pieces
 * already in the store (a restarted render) are reused, not queued again, and
 * a job that vanished (Redis restarted without its data) is queued again.
 *
 * A render's jobs all ask for one pixel backend and wait in that backend's
 * queue, where only workers that serve it listen: a GPU render's pieces
 * wait for GPU workers (and the coordinator says when none is connected),
 * never falling to a CPU worker, so a video is never a mix.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EncodingSettings } from '../encode/encoder.js';
import { checkEncodingSettings, decideEncoding, framesToDecide, outputFormat, outputPath } from '../encode/formats/index.js';
import { placeOutputs } from '../encode/placed-outputs.js';
import { machineId } from '../files/index.js';
import { videoEncodeJob } from '../render/encode-job.js';
import type { EncodedPiece, FrameBackend, FrameRange, PieceContext, PieceRequest, RenderedBy, Still, WholeVideoRequest, WholeVideoResult } from '../render/frame-backend.js';
import type { FrameSelector } from '../render/frame-renderer.js';
import { createLocalBackend, type LocalBackend } from '../render/local-backend.js';
import { CLUSTER_DEFAULT_PIXEL_BACKEND, PIXEL_BACKENDS, type PixelBackend } from '../render/pixel-backend.js';
import { untilAborted } from '../render/scheduler.js';
import type { Format, LoadedScene } from '../scene/index.js';
import { ITEM_NAME, itemJob, pieceJob, pieceKey, settingsJob, type ClusterJobData } from './chunk-job.js';
import { describeRange, type ChunkStore } from './chunk-store.js';
import { describeWorkerName } from './chunk-worker.js';
import { option, words } from '../errors.js';
import { ClusterError } from './cluster-error.js';
import { JobWaiter } from './job-waiter.js';
import { readRecord } from './piece-record.js';
import { connect, connectNow, isConnectionError, JOB_OPTIONS, jobEvents, jobQueue, type Job } from './redis-queue.js';
import { redactedUrl, workerCommand } from '../scene/options/index.js';
import { RedisOutage } from './redis-outage.js';
import { SetUsers } from './set-users.js';
import { toolIdentity, type ToolIdentity } from './tool-identity.js';
import { VERSION } from '../tool-version.js';

export interface ClusterBackendOptions {
  redisUrl: string;
  store: ChunkStore;
  /** Pieces of one video queued at once (default 64): enough for every worker, bounded however long the video. */
  pieceWindow?: number;
  /** How long Redis may stay unreachable before the render fails (default 30 s). */
  redisTimeoutMs?: number;
  /** Milliseconds between the safety-net checks of every job waited on (default 5 s; events do the real work). */
  checkMs?: number;
  /** Which code computes the pixels (default the CPU's): the workers that serve it render every piece and item. */
  pixelBackend?: PixelBackend;
  /** Threads for what the coordinator renders itself (thumbnails of items it skips, stills). */
  localWorkers?: number;
  /** Things worth telling the user: pieces reused, Redis lost and found again, workers of another version. */
  onNotice?: (message: string) => void;
}

export interface ClusterBackend extends FrameBackend {
  /** The backend the workers render with, as the outputs record it. */
  readonly renderedBy: RenderedBy;
  /** Pieces and items found finished in the store and reused so far. */
  readonly reused: number;
}

const CALL_TIMEOUT_MS = 5000;

/** The BullMQ job id of a store key (ids cannot hold ':'). */
function jobId(key: string): string {
  return key.replace('/', '-');
}

interface JobResult {
  worker?: string;
  settings?: unknown;
}

/** A job that failed for good: the worker's reason, to be told with the job's name and attempts. */
class JobFailed extends Error {}

export async function createClusterBackend(options: ClusterBackendOptions): Promise<ClusterBackend> {
  const where = redactedUrl(options.redisUrl);
  const notice = (message: string): void => options.onNotice?.(message);
  // A store that cannot be used is said at once, in words, before anything is queued.
  await options.store.ready();
  const redis = connect(options.redisUrl, { waitForever: false });
  try {
    await connectNow(redis, options.redisUrl, CALL_TIMEOUT_MS);
  } catch (error) {
    throw new ClusterError((error as Error).message);
  }
  const pixelBackend = options.pixelBackend ?? CLUSTER_DEFAULT_PIXEL_BACKEND;
  const queue = jobQueue(redis, pixelBackend, (message) => notice(`queue: ${message}`));
  // The other backends' queues, only to say who is connected there when nobody is here.
  const otherQueues = PIXEL_BACKENDS.filter((backend) => backend !== pixelBackend).map((backend) => jobQueue(redis, backend));
  const events = jobEvents(options.redisUrl, pixelBackend, (message) => notice(`queue events: ${message}`));
  try {
    await untilAborted(events.waitUntilReady(), AbortSignal.timeout(CALL_TIMEOUT_MS));
  } catch {
    await events.close().catch(() => undefined);
    await Promise.all([queue, ...otherQueues].map((q) => q.close().catch(() => undefined)));
    redis.disconnect();
    throw new ClusterError(`cannot listen to the queue's events at ${where}`);
  }
  const waiter = new JobWaiter(events, options.checkMs ?? 5000);
  const users = new SetUsers(redis, `${machineId()}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const redisTimeoutMs = options.redisTimeoutMs ?? 30_000;
  let local: LocalBackend | undefined;
  let reused = 0;
  let workers = 0;
  const outage = new RedisOutage(redisTimeoutMs);
  /** The set of pieces each video was filed under, for its clean-up. */
  const sets = new WeakMap<LoadedScene, string>();

  /** Says that Redis is back, if it was lost. */
  const backAgain = (): void => {
    const lasted = outage.found();
    if (lasted === undefined) return;
    notice(`Redis at ${where} is back after ${(lasted / 1000).toFixed(0)} s`);
    // Events sent while it was away are lost: look at every job now.
    waiter.checkNow();
  };

  /** A Redis call that gives up after a few seconds; outages longer than the limit end the render with a clear message. */
  const call = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    try {
      const value = await untilAborted(work(), AbortSignal.timeout(CALL_TIMEOUT_MS));
      backAgain();
      return value;
    } catch (error) {
      // Only an unreachable Redis is waited out; anything else is the call's own failure.
      const unreachable = (error as Error).name === 'TimeoutError' || isConnectionError(error as Error);
      if (!unreachable) throw error;
      if (outage.lost()) notice(`lost Redis at ${where} (${(error as Error).message || 'no answer'}); retrying for ${redisTimeoutMs / 1000} s`);
      if (outage.tooLong) throw new ClusterError(`lost Redis at ${where} for ${Math.round(outage.lastedMs / 1000)} s: ${(error as Error).message || 'no answer'}`);
      return undefined;
    }
  };

  // The connection says at once when Redis goes and comes back (calls say so too, when they fail first).
  let ready = true;
  let closing = false;
  redis.on('close', () => {
    if (!ready || closing) return;
    ready = false;
    if (outage.lost()) notice(`lost Redis at ${where}; retrying for ${redisTimeoutMs / 1000} s`);
  });
  redis.on('ready', () => {
    ready = true;
    backAgain();
  });

  // The workers, for progress and for warnings: refreshed now and then, never awaited by a render.
  let noWorkersSince: number | undefined;
  const warnedAbout = new Set<string>();
  /** Said when no worker serves this render's backend: who to start, and who is there but cannot help. */
  const nobodyToServe = async (): Promise<string> => {
    if (pixelBackend === 'cpu') return `no worker is connected to ${where}; start some with: ${workerCommand(options.redisUrl)}`;
    const elsewhere = new Set<string>();
    for (const other of otherQueues) for (const w of await other.getWorkers().catch(() => [])) elsewhere.add(w.rawname?.split(':w:')[1] ?? w.name);
    const others = elsewhere.size > 0 ? ` (${elsewhere.size} worker${elsewhere.size === 1 ? '' : 's'} connected, on the CPU only)` : '';
    return `no worker that renders on the GPU is connected to ${where}${others}; the GPU jobs wait for one (a CPU worker never takes them): start one on a machine with a GPU with: ${workerCommand(options.redisUrl, 'gpu')}`;
  };
  const lookAtWorkers = (): void => {
    queue.getWorkers().then(
      async (list) => {
        workers = list.length;
        if (list.length > 0) noWorkersSince = undefined;
        else if (noWorkersSince === undefined) noWorkersSince = Date.now();
        else if (Date.now() - noWorkersSince > 10_000) {
          noWorkersSince = Infinity;
          notice(await nobodyToServe());
        }
        for (const w of list) {
          const { who, version } = describeWorkerName(w.rawname?.split(':w:')[1] ?? '');
          if (version !== undefined && version !== VERSION && !warnedAbout.has(who)) {
            warnedAbout.add(who);
            notice(`worker ${who} runs cppn-motion ${version}, this is ${VERSION}: it will refuse this render's jobs`);
          }
        }
      },
      () => undefined,
    );
  };
  const workerTimer = setInterval(lookAtWorkers, 2000);
  workerTimer.unref();
  lookAtWorkers();

  /** Queues the job unless it is queued or running already; one that failed or finished in an earlier run is queued afresh. */
  const enqueue = async (data: ClusterJobData, id: string): Promise<void> => {
    const existing = await queue.getJob(id);
    if (existing) {
      const state = await existing.getState();
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') return;
      await existing.remove();
    }
    await queue.add(data.kind, data, { ...JOB_OPTIONS, jobId: id });
  };

  /** Takes a job nobody has started off the queue (a job in a worker's hands cannot be, and need not be). */
  const withdraw = async (id: string): Promise<void> => {
    const job = await queue.getJob(id);
    const state = await job?.getState();
    if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) await job.remove();
  };

  /**
   * Queues a job and waits for it: completion, failure and progress come as
   * events; every few seconds the job itself is looked at (the safety net),
   * and queued again if Redis lost it. `storeKey`: where its result must
   * appear (pieces and items); it may be there already, by another route.
   */
  const runJob = async (data: ClusterJobData, id: string, name: string, signal: AbortSignal, onProgress: (done: number) => void, storeKey?: string): Promise<JobResult> => {
    const failed = (reason: string, job?: Job | null): ClusterError => {
      const attempts = job?.attemptsMade;
      return new ClusterError(`${name} failed${attempts ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : ''}: ${reason}`);
    };
    const waiting = waiter.wait(
      id,
      {
        onProgress: (progress) => {
          if (typeof progress === 'number') onProgress(progress);
        },
        check: async () => {
          if (storeKey !== undefined && (await options.store.has(storeKey))) return { done: {} };
          // Wrapped, to tell a job that is gone from a Redis that did not answer.
          const found = await call(async () => ({ job: await queue.getJob(id) }));
          if (!found) return undefined;
          const { job } = found;
          if (!job) {
            // Gone: lost with a Redis restart (or removed by hand).
            await call(() => enqueue(data, id));
            return undefined;
          }
          const state = await call(() => job.getState());
          if (state === 'completed') return { done: job.returnvalue as unknown };
          if (state === 'failed') return { failed: new JobFailed(job.failedReason ?? 'no reason given') };
          return undefined;
        },
      },
      (reason) => new JobFailed(reason),
      signal,
    );
    // Failures are handled below; until then they must not count as unhandled.
    waiting.catch(() => undefined);
    try {
      await call(() => enqueue(data, id));
      return ((await waiting) ?? {}) as JobResult;
    } catch (error) {
      if (signal.aborted) {
        // Stopped: a job nobody has started yet leaves the queue; one in hand finishes into the store for next time.
        await untilAborted(withdraw(id), AbortSignal.timeout(CALL_TIMEOUT_MS)).catch(() => undefined);
        throw error;
      }
      if (error instanceof JobFailed) {
        // Say which job, and after how many attempts.
        const job = await call(() => queue.getJob(id)).catch(() => undefined);
        throw failed(error.message, job);
      }
      throw error;
    }
  };

  /** After a job completed: its result must be in the store the coordinator reads. */
  const expectInStore = async (key: string, result: JobResult, name: string): Promise<void> => {
    if (await options.store.has(key)) return;
    throw new ClusterError(words`${name} was made by ${describeWorkerName(result.worker ?? 'a worker').who}, but is not in the chunk store ${options.store.location}; every worker and the coordinator need the same shared ${option('store')}`);
  };

  const identities = new Map<string, ToolIdentity>();
  const identity = (formats: Format[]): ToolIdentity => {
    const key = formats.join(',');
    if (!identities.has(key)) identities.set(key, toolIdentity(formats, pixelBackend));
    return identities.get(key)!;
  };

  async function encodingSettings(loaded: LoadedScene, formats: Format[], pieces: number, signal?: AbortSignal): Promise<EncodingSettings> {
    const job = videoEncodeJob(loaded, loaded.origin);
    // Settings that need no frames are decided here; those measured on the first frames by a worker.
    if (framesToDecide(formats, job) === 0) return decideEncoding(formats, job, [], pieces);
    const data = settingsJob(loaded, formats, identity(formats), pieces);
    const id = `settings-${data.sceneHash}-${pieces}-${randomBytes(4).toString('hex')}`;
    const result = await runJob(data, id, `choosing the settings of ${loaded.model.name}`, signal ?? new AbortController().signal, () => undefined);
    try {
      return checkEncodingSettings(result.settings, formats);
    } catch (error) {
      throw new ClusterError(`the settings a worker chose for ${loaded.model.name} are not readable: ${(error as Error).message}`);
    }
  }

  async function encodePiece(request: PieceRequest, context: PieceContext): Promise<EncodedPiece> {
    const { loaded, range, formats, settings } = request;
    const tool = identity(formats);
    const data = pieceJob(loaded, range, formats, settings, tool);
    const key = pieceKey(data.set, range);
    const frames = range.end - range.start;
    const name = `${describeRange(range)} of ${loaded.model.name}`;
    sets.set(loaded, data.set);
    await call(() => users.use(data.set));
    if (await options.store.has(key)) {
      reused++;
      context.onFrames(frames);
    } else {
      let reported = 0;
      const report = (done: number): void => {
        const now = Math.min(frames, Math.max(reported, done));
        if (now > reported) context.onFrames(now - reported);
        reported = now;
      };
      const result = await runJob(data, jobId(key), name, context.signal, report, key);
      await expectInStore(key, result, name);
      report(frames);
    }
    const reader = await options.store.open(key);
    try {
      const record = await readRecord(reader.folder, { kind: 'piece', tool, sceneHash: data.sceneHash, key, range, width: loaded.model.width, height: loaded.model.height, formats });
      const files: Partial<Record<Format, string>> = {};
      for (const format of formats) files[format] = join(reader.folder, record.files[format]!.name);
      return { files, renderMs: 0, release: () => reader.release() };
    } catch (error) {
      await reader.release();
      throw error;
    }
  }

  async function renderWhole(loaded: LoadedScene, request: WholeVideoRequest): Promise<WholeVideoResult> {
    const started = performance.now();
    const { formats } = request;
    const tool = identity(formats);
    const data = itemJob(loaded, formats, tool, request.thumbnail);
    const key = `${data.set}/${ITEM_NAME}`;
    const name = loaded.model.name;
    const signal = request.signal ?? new AbortController().signal;
    const frames = loaded.model.timeline.frameCount;
    // Placed outputs need every format's path checked before any work, as a render on this machine does.
    const paths = formats.map((format) => outputPath(request.outStem, format));
    await call(() => users.use(data.set));
    if (await options.store.has(key)) reused++;
    else {
      const result = await runJob(data, jobId(key), name, signal, (done) => request.onProgress?.(Math.min(done, frames), frames), key);
      await expectInStore(key, result, name);
    }
    request.onProgress?.(frames, frames);
    const reader = await options.store.open(key);
    try {
      const record = await readRecord(reader.folder, { kind: 'item', tool, sceneHash: data.sceneHash, key, width: loaded.model.width, height: loaded.model.height, formats });
      if (signal.aborted) throw signal.reason;
      await placeOutputs(formats.map((format, i) => ({ from: join(reader.folder, record.files[format]!.name), to: paths[i], folder: outputFormat(format).folder, replaces: outputFormat(format).replaces })));
      let thumbnail: Still | undefined;
      if (record.thumbnail) {
        const data = new Uint8Array(await readFile(join(reader.folder, record.thumbnail.name)));
        if (data.length !== record.thumbnail.width * record.thumbnail.height * 4) throw new ClusterError(`the thumbnail of ${name} in the chunk store is damaged`);
        thumbnail = { width: record.thumbnail.width, height: record.thumbnail.height, data };
      }
      return { outputs: formats.map((format, i) => ({ format, path: paths[i], note: record.files[format]!.note })), thumbnail, wallMs: performance.now() - started };
    } finally {
      await reader.release();
      // Placed (or failed): the item is kept only while another coordinator uses it.
      if (await call(() => users.release(data.set))) await options.store.remove(key).catch(() => undefined);
    }
  }

  return {
    description: pixelBackend === 'cpu' ? `the cluster at ${where}` : `the ${pixelBackend.toUpperCase()} workers of the cluster at ${where}`,
    // The backend without an adapter: a video's pieces may come from several
    // GPU workers whose adapters differ (each within the GPU's bound of the
    // CPU), and this record is part of the scene every job carries, written
    // before any worker takes one.
    renderedBy: { backend: pixelBackend },
    // Items go to workers whole, so the queue should hold enough for every worker; the coordinator only waits and places.
    itemConcurrency: 256,
    pieceWindow: options.pieceWindow ?? 64,
    encodingSettings,
    encodePiece,
    renderWhole,
    activeWorkers: () => workers,
    get reused() {
      return reused;
    },
    async complete(loaded) {
      const set = sets.get(loaded);
      if (set === undefined) return;
      sets.delete(loaded);
      // The pieces stay while another coordinator (the same scene, rendered twice at once) still needs them.
      try {
        if (await call(() => users.release(set))) await options.store.removeSet(set);
      } catch (error) {
        // The outputs are in place already: pieces left in the store are a clean-up to mention, not a failed render.
        notice(`${loaded.model.name} is complete, but its pieces could not be removed from the chunk store ${options.store.location} (${(error as Error).message}); the next render of the same scene reuses them, or remove them by hand`);
      }
    },
    // Stills and the thumbnails of items done in an earlier run are small: the coordinator renders them itself.
    picture(loaded: LoadedScene, selector: FrameSelector, signal?: AbortSignal): Promise<Still> {
      local ??= createLocalBackend({ workers: options.localWorkers });
      return local.picture(loaded, selector, signal);
    },
    async close() {
      closing = true;
      clearInterval(workerTimer);
      waiter.close();
      await untilAborted(users.close(), AbortSignal.timeout(CALL_TIMEOUT_MS)).catch(() => undefined);
      await local?.close();
      await events.close().catch(() => undefined);
      await Promise.all([queue, ...otherQueues].map((q) => q.close().catch(() => undefined)));
      redis.disconnect();
    },
  };
}

export type { FrameRange };
