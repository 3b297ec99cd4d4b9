/**
 * Videos: the frame scheduler delivers the frames in order (from the local
 * threads or a cluster, whichever backend is given) and each frame goes to
 * every encoder at once (one render feeds every format). At most a fixed
 * window of frames exists at any moment, however long the video.
 */
import { join } from 'node:path';
import { createEncoder, outputPath } from '../encode/formats/index.js';
import type { Encoder } from '../encode/encoder.js';
import { InterruptedError } from '../errors.js';
import type { Format, LoadedScene } from '../scene/index.js';
import type { FrameBackend } from './frame-backend.js';
import { createLocalBackend } from './local-backend.js';
import type { RenderPool } from './pool.js';
import { scheduleFrames, untilAborted, type Progress } from './scheduler.js';

export type { Progress } from './scheduler.js';

export interface VideoOptions {
  /** Output folder and name without extension (default output/<scene name>). */
  outStem?: string;
  formats?: Format[];
  /** Worker threads (default: one per core). */
  workers?: number;
  /** An existing pool to share (it is not destroyed). */
  pool?: RenderPool;
  /** Who renders the frames (default: this machine's threads); it is not closed. */
  backend?: FrameBackend;
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

export async function renderVideo(loaded: LoadedScene, options: VideoOptions = {}): Promise<VideoResult> {
  if (options.signal?.aborted) throw options.signal.reason;
  const started = performance.now();
  const { model } = loaded;
  const total = model.timeline.frameCount;
  const formats = options.formats ?? loaded.scene.output.formats;
  const stem = options.outStem ?? join('output', model.name);
  const backend = options.backend ?? createLocalBackend({ workers: options.workers, pool: options.pool });
  const abort = new AbortController();
  const onOuterAbort = (): void => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const frames = scheduleFrames(backend, loaded, { signal: abort.signal, onProgress: options.onProgress });

  const encoders: Encoder[] = [];
  let encodeWaitMs = 0;
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
    for await (const frame of frames) {
      const waitStarted = performance.now();
      await Promise.all(encoders.map((encoder) => encoder.writeFrame(frame)));
      encodeWaitMs += performance.now() - waitStarted;
    }
    const finishStarted = performance.now();
    options.onFinishing?.();
    await untilAborted(Promise.all(encoders.map((encoder) => encoder.finish())), abort.signal);
    // Every format is complete: only now do they replace what was there, together.
    for (const encoder of encoders) encoder.commit();
    await backend.complete?.(loaded);
    const finishMs = performance.now() - finishStarted;
    return {
      outputs: encoders.map((e, i) => ({ format: formats[i], path: e.path, note: e.summary?.() })),
      frames: total,
      wallMs: performance.now() - started,
      renderMs: frames.renderMs,
      encodeWaitMs,
      finishMs,
    };
  } catch (error) {
    abort.abort(error);
    await Promise.allSettled(encoders.map((encoder) => encoder.abort()));
    // Stopped from outside (Ctrl-C): that, not the aborted jobs' errors, is the cause.
    const reason: unknown = options.signal?.aborted ? options.signal.reason : undefined;
    throw reason instanceof InterruptedError ? reason : error;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    if (!options.backend) await backend.close();
  }
}
