/**
 * Stills: one frame at a given time, rendered by the backend as one picture
 * (locally: across all cores, its rows split into bands). Small images stay
 * on the calling thread, where starting workers would cost more than it saves
 * (see THREAD_START_WORK).
 */
import { option, UserError, words } from '../errors.js';
import { multiplyAddsPerPixel } from '../core/index.js';
import { representativeTime, type LoadedScene } from '../scene/index.js';
import type { FrameBackend, Still } from './frame-backend.js';
import { FrameRenderer } from './frame-renderer.js';
import { createLocalBackend } from './local-backend.js';
import { createRenderPool, defaultWorkerCount, type RenderPool } from './pool.js';

export type { Still } from './frame-backend.js';

export interface StillOptions {
  /** Seconds into the scene (default: the middle of the video when the scene moves, else 0). */
  at?: number;
  /** Worker threads; 1 renders on the calling thread. Default: one per core. */
  workers?: number;
  /** An existing pool to use (it is not destroyed). */
  pool?: RenderPool;
  /** Who renders it (default: this machine's threads); it is not closed. */
  backend?: FrameBackend;
  signal?: AbortSignal;
}

/** Below this many pixels a still renders on the calling thread, even where threads are running already. */
const PARALLEL_THRESHOLD = 128 * 128;

/**
 * Multiply-adds above which a still is worth starting threads for. Starting
 * threads costs more than a small still's whole render on one thread, so
 * only work that clearly outweighs the start goes to them.
 */
const THREAD_START_WORK = 6e9;

export function stillTime(loaded: LoadedScene, at = 0): number {
  const duration = loaded.scene.output.duration;
  if (!(at >= 0)) throw new UserError(words`${option('at')} ${at}: a time is 0 or more seconds`);
  if (at > duration) {
    if (loaded.scene.loop !== true) throw new UserError(words`${option('at')} ${at} is past the end of ${loaded.origin} (${duration} s)`);
    // A loop repeats: any time maps into its first period.
    return at % duration;
  }
  return at;
}

/** Whether a still of this scene is worth starting `workers` threads for. */
function worthThreads(loaded: LoadedScene, workers: number): boolean {
  const { width, height, shape } = loaded.model;
  const samples = loaded.scene.output.antialias ** 2;
  return workers > 1 && width * height * samples * multiplyAddsPerPixel(shape) >= THREAD_START_WORK;
}

/**
 * The threads a still of this scene will use, started now, or undefined when
 * it renders on the calling thread. For a caller with other work to do first:
 * threads are slow to start, and the start overlaps that work. The caller destroys it.
 */
export function startStillPool(loaded: LoadedScene, workers = defaultWorkerCount()): RenderPool | undefined {
  return worthThreads(loaded, workers) ? createRenderPool(workers) : undefined;
}

/** Whether a still renders on the calling thread rather than on threads (a backend's, a pool's, or started for it). */
function rendersHere(loaded: LoadedScene, options: StillOptions, workers: number): boolean {
  // A GPU renders every still it is given: the picture says it made it.
  if (options.backend?.renderedBy?.backend === 'gpu') return false;
  if (loaded.model.width * loaded.model.height < PARALLEL_THRESHOLD) return true;
  if (options.backend) return false;
  // Threads already running pay off sooner than threads started for this still.
  return options.pool ? workers <= 1 : !worthThreads(loaded, workers);
}

export async function renderStill(loaded: LoadedScene, options: StillOptions = {}): Promise<Still> {
  const time = stillTime(loaded, options.at ?? representativeTime(loaded.scene));
  const { width, height } = loaded.model;
  const workers = options.pool?.threads ?? options.workers ?? defaultWorkerCount();
  if (rendersHere(loaded, options, workers)) {
    const renderer = new FrameRenderer(loaded.scene, loaded.library);
    return { width, height, data: renderer.renderFrame({ time }) };
  }
  const backend = options.backend ?? createLocalBackend({ workers, pool: options.pool });
  try {
    return await backend.picture(loaded, { time }, options.signal);
  } finally {
    if (!options.backend) await backend.close();
  }
}
