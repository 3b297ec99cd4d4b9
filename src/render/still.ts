/**
 * Stills: one frame at a given time, rendered by the backend as one picture
 * (locally: across all cores, its rows split into bands). Small images stay
 * on the calling thread, where starting workers would cost more than it saves.
 */
import { UserError } from '../errors.js';
import { representativeTime, type LoadedScene } from '../scene/index.js';
import type { FrameBackend, Still } from './frame-backend.js';
import { FrameRenderer } from './frame-renderer.js';
import { createLocalBackend } from './local-backend.js';
import { defaultWorkerCount, type RenderPool } from './pool.js';

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

/** Below this many pixels a still renders on the calling thread. */
const PARALLEL_THRESHOLD = 128 * 128;

export function stillTime(loaded: LoadedScene, at = 0): number {
  const duration = loaded.scene.output.duration;
  if (!(at >= 0)) throw new UserError(`--at ${at}: a time is 0 or more seconds`);
  if (at > duration) {
    if (loaded.scene.loop !== true) throw new UserError(`--at ${at} is past the end of ${loaded.origin} (${duration} s)`);
    // A loop repeats: any time maps into its first period.
    return at % duration;
  }
  return at;
}

export async function renderStill(loaded: LoadedScene, options: StillOptions = {}): Promise<Still> {
  const time = stillTime(loaded, options.at ?? representativeTime(loaded.scene));
  const { width, height } = loaded.model;
  const workers = options.pool?.threads ?? options.workers ?? defaultWorkerCount();
  if (width * height < PARALLEL_THRESHOLD || (!options.backend && workers <= 1)) {
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
