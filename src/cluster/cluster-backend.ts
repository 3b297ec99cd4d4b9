/**
 * The cluster backend, the coordinator's side: a video's frames are split
 * into chunks (frame ranges), each queued as a job that carries its whole
 * scene; worker processes anywhere render them into the chunk store; the
 * coordinator reads finished chunks back in order. Chunks already in the
 * store (a restarted render) are reused, not queued again, and a chunk whose
 * job vanished (Redis restarted without its data) is queued again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FrameBackend, FrameRange, RenderedUnit, Still, UnitContext } from '../render/frame-backend.js';
import type { FrameSelector } from '../render/frame-renderer.js';
import { createLocalBackend, type LocalBackend } from '../render/local-backend.js';
import { untilAborted } from '../render/scheduler.js';
import { scenePayload } from '../render/scene-payload.js';
import type { LoadedScene } from '../scene/index.js';
import { chunkJob, chunkKey } from './chunk-job.js';
import { describeChunk, type ChunkHeader, type ChunkStore } from './chunk-store.js';
import { ClusterError } from './cluster-error.js';
import { CHUNK_JOB_OPTIONS, chunkQueue, connect, connectNow, type Job } from './redis-queue.js';
import { redactedUrl } from './redis-url.js';


export interface ClusterBackendOptions {
  redisUrl: string;
  store: ChunkStore;
  /** Frames per chunk (default: from the video's length, see chunkFrames). */
  chunkFrames?: number;
  /** How long Redis may stay unreachable before the render fails (default 30 s). */
  redisTimeoutMs?: number;
  /** Threads for what the coordinator renders itself (thumbnails for contact sheets). */
  localWorkers?: number;
  /** Things worth telling the user: chunks reused, Redis lost and found again. */
  onNotice?: (message: string) => void;
}

export interface ClusterBackend extends FrameBackend {
  /** Chunks found finished in the store and reused so far. */
  readonly reused: number;
}

/**
 * Frames per chunk: about 32 chunks per video, 4 to 120 frames each. Small
 * enough to spread over many workers and to lose little when one dies, large
 * enough that the per-job cost (queue round trip, one file) stays small.
 * A function of the frame count alone, so a restarted render asks for the same chunks.
 */
export function chunkFrames(frameCount: number): number {
  return Math.max(4, Math.min(120, Math.ceil(frameCount / 32)));
}

const POLL_MS = 250;
const CALL_TIMEOUT_MS = 5000;

/** The BullMQ job id of a chunk (ids cannot hold ':'). */
function jobId(key: string): string {
  return key.replace('/', '-');
}

export async function createClusterBackend(options: ClusterBackendOptions): Promise<ClusterBackend> {
  const where = redactedUrl(options.redisUrl);
  const redis = connect(options.redisUrl, { waitForever: false });
  try {
    await connectNow(redis, options.redisUrl, CALL_TIMEOUT_MS);
  } catch (error) {
    throw new ClusterError((error as Error).message);
  }
  const queue = chunkQueue(redis);
  const redisTimeoutMs = options.redisTimeoutMs ?? 30_000;
  let local: LocalBackend | undefined;
  let reused = 0;
  let workers = 0;
  let lastContact = Date.now();
  let lostSince: number | undefined;

  /** A Redis call that gives up after a few seconds; long outages end the render with a clear message. */
  const call = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    try {
      const value = await untilAborted(work(), AbortSignal.timeout(CALL_TIMEOUT_MS));
      if (lostSince !== undefined) options.onNotice?.(`Redis at ${where} is back after ${((Date.now() - lostSince) / 1000).toFixed(0)} s`);
      lostSince = undefined;
      lastContact = Date.now();
      return value;
    } catch (error) {
      if (lostSince === undefined) {
        lostSince = Date.now();
        options.onNotice?.(`lost Redis at ${where} (${(error as Error).message || 'no answer'}); retrying for ${redisTimeoutMs / 1000} s`);
      }
      if (Date.now() - lastContact > redisTimeoutMs) {
        throw new ClusterError(`lost Redis at ${where} for ${Math.round((Date.now() - lastContact) / 1000)} s: ${(error as Error).message || 'no answer'}`);
      }
      return undefined;
    }
  };

  // The worker count is for progress only: refreshed now and then, never awaited by a render.
  let noWorkersSince: number | undefined;
  const countWorkers = setInterval(() => {
    queue.getWorkersCount().then(
      (n) => {
        workers = n;
        if (n > 0) noWorkersSince = undefined;
        else if (noWorkersSince === undefined) noWorkersSince = Date.now();
        else if (Date.now() - noWorkersSince > 10_000) {
          noWorkersSince = Infinity;
          options.onNotice?.(`no worker is connected to ${where}; start some with: cppn-motion worker --redis ${where}`);
        }
      },
      () => undefined,
    );
  }, 2000);
  countWorkers.unref();
  void queue.getWorkersCount().then((n) => (workers = n), () => undefined);

  /** Queues the chunk unless it is queued or running already; a chunk that failed or finished in an earlier run is queued afresh. */
  const enqueue = async (loaded: LoadedScene, range: FrameRange, id: string): Promise<void> => {
    const existing = await queue.getJob(id);
    if (existing) {
      const state = await existing.getState();
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized') return;
      await existing.remove();
    }
    await queue.add('chunk', chunkJob(loaded, range), { ...CHUNK_JOB_OPTIONS, jobId: id });
  };

  const readUnit = (key: string, header: ChunkHeader): RenderedUnit => ({
    renderMs: 0,
    frames: (signal) => options.store.read(key, header, signal),
    // Chunks stay until the whole video is done, so that a restarted render reuses them.
    release: async () => undefined,
  });

  async function render(loaded: LoadedScene, range: FrameRange, context: UnitContext): Promise<RenderedUnit> {
    const sceneHash = scenePayload(loaded).key;
    const key = chunkKey(sceneHash, range);
    const header: ChunkHeader = { sceneHash, ...range, width: loaded.model.width, height: loaded.model.height };
    const frames = range.end - range.start;
    const name = `${describeChunk(range)} of ${loaded.model.name}`;
    if (await options.store.has(key)) {
      reused++;
      context.onFrames(frames);
      return readUnit(key, header);
    }
    const id = jobId(key);
    await call(() => enqueue(loaded, range, id));
    let reported = 0;
    const report = (done: number): void => {
      const now = Math.min(frames, Math.max(reported, done));
      if (now > reported) context.onFrames(now - reported);
      reported = now;
    };
    try {
      for (;;) {
        if (context.signal.aborted) throw context.signal.reason;
        if (await options.store.has(key)) {
          report(frames);
          return readUnit(key, header);
        }
        const job: Job | undefined | null = await call(() => queue.getJob(id));
        if (job === null || (job === undefined && lostSince === undefined)) {
          // Gone: lost with a Redis restart (or removed by hand).
          if (!(await options.store.has(key))) await call(() => enqueue(loaded, range, id));
        } else if (job) {
          if (typeof job.progress === 'number') report(job.progress);
          if (job.finishedOn && job.failedReason !== undefined && (await call(() => job.getState())) === 'failed') {
            throw new ClusterError(`${name} failed after ${job.attemptsMade} attempt${job.attemptsMade === 1 ? '' : 's'}: ${job.failedReason}`);
          }
          if (job.finishedOn && job.returnvalue && !(await options.store.has(key))) {
            throw new ClusterError(`${name} was rendered by ${String(job.returnvalue.worker)}, but is not in the chunk store ${options.store.location}; every worker and the coordinator need the same shared --store`);
          }
        }
        await sleep(POLL_MS, undefined, { signal: context.signal }).catch(() => undefined);
      }
    } catch (error) {
      // Stopped: a chunk nobody has started yet leaves the queue; one being rendered finishes into the store for next time.
      if (context.signal.aborted) await call(async () => (await queue.getJob(id))?.remove()).catch(() => undefined);
      throw error;
    }
  }

  return {
    description: `the cluster at ${where}`,
    // Items of a series are independent: enough at once to give every worker chunks.
    itemConcurrency: 8,
    plan: (frameCount) => ({ unitFrames: options.chunkFrames ?? chunkFrames(frameCount), window: 256 }),
    render,
    activeWorkers: () => workers,
    get reused() {
      return reused;
    },
    complete: (loaded) => options.store.removeScene(scenePayload(loaded).key),
    // Thumbnails and stills are small: the coordinator renders them itself.
    picture(loaded: LoadedScene, selector: FrameSelector, signal?: AbortSignal): Promise<Still> {
      local ??= createLocalBackend({ workers: options.localWorkers });
      return local.picture(loaded, selector, signal);
    },
    async close() {
      clearInterval(countWorkers);
      await local?.close();
      await queue.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}
