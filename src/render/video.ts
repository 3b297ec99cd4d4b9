/**
 * Videos: frame jobs scheduled by p-queue onto the worker pool, results put
 * back in order through a small reorder window of shared frame buffers, and
 * each frame handed to every encoder at once (one render feeds every format).
 * At most `window` frames exist at any moment, however long the video.
 */
import PQueue from 'p-queue';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { createEncoder, outputPath } from '../encode/formats/index.js';
import type { Encoder } from '../encode/encoder.js';
import { InterruptedError } from '../errors.js';
import type { Format, LoadedScene } from '../scene/index.js';
import { createRenderPool, defaultWorkerCount, type RenderPool } from './pool.js';
import { scenePayload } from './scene-payload.js';
import type { FrameJobResult } from './worker.js';

export interface Progress {
  done: number;
  total: number;
  elapsedMs: number;
  /** Frames per second so far. */
  fps: number;
  /** Estimated seconds left. */
  etaSeconds: number;
}

export interface VideoOptions {
  /** Output folder and name without extension (default output/<scene name>). */
  outStem?: string;
  formats?: Format[];
  /** Worker threads (default: one per core). */
  workers?: number;
  /** An existing pool to share (it is not destroyed). */
  pool?: RenderPool;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Called once every frame is rendered, while the encoders finish (the GIF's last pass can take a while). */
  onFinishing?: () => void;
}

export interface VideoResult {
  /** Each output, with what its encoder chose by itself when there is something to say. */
  outputs: Array<{ format: Format; path: string; note?: string }>;
  frames: number;
  wallMs: number;
  /** Time the workers spent rendering, summed over workers. */
  renderMs: number;
  /** Time the render loop waited on encoders while frames streamed. */
  encodeWaitMs: number;
  /** Time to finish the encoders after the last frame (GIF second pass, MP4 trailer). */
  finishMs: number;
}

/** Rejects as soon as `signal` aborts, so a long wait (the GIF's last pass) can be interrupted. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export async function renderVideo(loaded: LoadedScene, options: VideoOptions = {}): Promise<VideoResult> {
  if (options.signal?.aborted) throw options.signal.reason;
  const started = performance.now();
  const { model } = loaded;
  const total = model.timeline.frameCount;
  const formats = options.formats ?? loaded.scene.output.formats;
  const stem = options.outStem ?? join('output', model.name);
  const frameBytes = model.width * model.height * 4;
  const pool = options.pool ?? createRenderPool(options.workers ?? defaultWorkerCount());
  // Enough frames in flight to keep every worker busy while the oldest is encoded.
  const window = Math.min(total, pool.threads * 2 + 2);
  const slots = Array.from({ length: window }, () => new SharedArrayBuffer(frameBytes));
  const queue = new PQueue({ concurrency: window });
  const payload = scenePayload(loaded);
  const abort = new AbortController();
  // Every frame job in flight listens to the one signal.
  setMaxListeners(0, abort.signal);
  const onOuterAbort = (): void => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const encoders: Encoder[] = [];
  const pending = new Map<number, Promise<FrameJobResult | undefined>>();
  let scheduled = 0;
  let written = 0;
  let renderMs = 0;
  let encodeWaitMs = 0;

  const schedule = (): void => {
    while (scheduled < total && scheduled - written < window) {
      const index = scheduled++;
      const job = { scene: payload, frame: { index }, target: slots[index % window], offset: 0 };
      const result = queue.add(() => pool.run(job, abort.signal), { signal: abort.signal });
      // Awaited in order later; until then a failure must not count as unhandled.
      result.catch(() => undefined);
      pending.set(index, result);
    }
  };

  try {
    const metadata = JSON.stringify(loaded.scene);
    for (const format of formats) {
      encoders.push(
        createEncoder(format, {
          width: model.width,
          height: model.height,
          fps: loaded.scene.output.fps,
          frameCount: total,
          path: outputPath(stem, format),
          metadata,
          output: loaded.scene.output,
        }),
      );
    }
    while (written < total) {
      schedule();
      const result = await pending.get(written)!;
      pending.delete(written);
      renderMs += result?.renderMs ?? 0;
      const frame = new Uint8Array(slots[written % window]);
      const waitStarted = performance.now();
      await Promise.all(encoders.map((encoder) => encoder.writeFrame(frame)));
      encodeWaitMs += performance.now() - waitStarted;
      written++;
      const elapsedMs = performance.now() - started;
      const fps = written / (elapsedMs / 1000);
      options.onProgress?.({ done: written, total, elapsedMs, fps, etaSeconds: (total - written) / Math.max(fps, 1e-9) });
    }
    const finishStarted = performance.now();
    options.onFinishing?.();
    await untilAborted(Promise.all(encoders.map((encoder) => encoder.finish())), abort.signal);
    // Every format is complete: only now do they replace what was there, together.
    for (const encoder of encoders) encoder.commit();
    const finishMs = performance.now() - finishStarted;
    return {
      outputs: encoders.map((e, i) => ({ format: formats[i], path: e.path, note: e.summary?.() })),
      frames: total,
      wallMs: performance.now() - started,
      renderMs,
      encodeWaitMs,
      finishMs,
    };
  } catch (error) {
    abort.abort(error);
    queue.clear();
    await Promise.allSettled([...pending.values()]);
    await Promise.allSettled(encoders.map((encoder) => encoder.abort()));
    // Stopped from outside (Ctrl-C): that, not the aborted jobs' errors, is the cause.
    const reason: unknown = options.signal?.aborted ? options.signal.reason : undefined;
    throw reason instanceof InterruptedError ? reason : error;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    if (!options.pool) await pool.destroy();
  }
}
