/**
 * Stills: one frame at a given time, rendered across all cores by splitting
 * its rows into bands (small images stay on the calling thread, where
 * starting workers would cost more than it saves).
 */
import { UserError } from '../errors.js';
import { representativeTime, type LoadedScene } from '../scene/index.js';
import { FrameRenderer } from './frame-renderer.js';
import { createRenderPool, defaultWorkerCount, type RenderPool } from './pool.js';
import { scenePayload } from './scene-payload.js';

export interface Still {
  width: number;
  height: number;
  /** RGBA, row by row from the top. */
  data: Uint8Array;
}

export interface StillOptions {
  /** Seconds into the scene (default: the middle of the video when the scene moves, else 0). */
  at?: number;
  /** Worker threads; 1 renders on the calling thread. Default: one per core. */
  workers?: number;
  /** An existing pool to use (it is not destroyed). */
  pool?: RenderPool;
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
  if (workers <= 1 || width * height < PARALLEL_THRESHOLD) {
    const renderer = new FrameRenderer(loaded.scene, loaded.library);
    return { width, height, data: renderer.renderFrame({ time }) };
  }
  const pool = options.pool ?? createRenderPool(workers);
  try {
    const target = new SharedArrayBuffer(width * height * 4);
    const payload = scenePayload(loaded);
    // Every pixel costs the same (one network for all), so one band per worker
    // balances the load; more bands only add dispatch overhead (measured).
    const bands = Math.min(height, workers);
    const jobs = Array.from({ length: bands }, (_, b) => {
      const start = Math.floor((b * height) / bands);
      const end = Math.floor(((b + 1) * height) / bands);
      return pool.run({ scene: payload, frame: { time }, rows: { start, end }, target, offset: start * width * 4 });
    });
    await Promise.all(jobs);
    return { width, height, data: new Uint8Array(target) };
  } finally {
    if (!options.pool) await pool.destroy();
  }
}
