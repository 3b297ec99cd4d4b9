/**
 * The frame scheduler: the one place that turns "frames start..end of this
 * scene" into frames delivered in order. It splits the range into the
 * source's units, keeps a bounded window of units in flight (so memory does
 * not grow with the video), reads them back in order, reports progress and
 * stops everything when the signal aborts.
 */
import { setMaxListeners } from 'node:events';
import type { LoadedScene } from '../scene/index.js';
import type { FrameRange, FrameSource, RenderedUnit } from './frame-backend.js';

export interface Progress {
  /** Frames rendered so far (across every worker). */
  done: number;
  total: number;
  elapsedMs: number;
  /** Frames per second so far. */
  fps: number;
  /** Estimated seconds left. */
  etaSeconds: number;
  /** Workers busy now (threads, or worker processes on a cluster). */
  workers?: number;
}

export interface ScheduleOptions {
  /** Which frames (default: the whole timeline). */
  range?: FrameRange;
  /** Units in flight at once, when fewer than the source plans (several ranges scheduled at once share its threads). */
  window?: number;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/** Rejects as soon as `signal` aborts, so no wait outlives a cancellation. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The work goes on unwatched, and may yet fail (an encoder whose thread is
    // being torn down): that must not become an unhandled rejection, which
    // would end the process with a stack trace instead of the stop's message.
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
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

/** Splits a range into consecutive units of `size` frames. */
export function splitRange(range: FrameRange, size: number): FrameRange[] {
  const units: FrameRange[] = [];
  for (let start = range.start; start < range.end; start += size) units.push({ start, end: Math.min(range.end, start + size) });
  return units;
}

/** Frames of a scene, in order. Iterate it once; `renderMs` is complete when the iteration ends. */
export class FrameStream implements AsyncIterable<Uint8Array> {
  renderMs = 0;

  constructor(
    private readonly backend: FrameSource,
    private readonly loaded: LoadedScene,
    private readonly options: ScheduleOptions = {},
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.frames();
  }

  private async *frames(): AsyncGenerator<Uint8Array> {
    const { backend, loaded, options } = this;
    const range = options.range ?? { start: 0, end: loaded.model.timeline.frameCount };
    const total = range.end - range.start;
    const plan = backend.plan(total);
    const units = splitRange(range, plan.unitFrames);
    const window = Math.max(1, Math.min(units.length, options.window ?? plan.window, plan.window));
    const abort = new AbortController();
    // Every unit in flight listens to the one signal.
    setMaxListeners(0, abort.signal);
    const onOuterAbort = (): void => abort.abort(options.signal?.reason);
    if (options.signal?.aborted) throw options.signal.reason;
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });

    const started = performance.now();
    let rendered = 0;
    const report = (): void => {
      const elapsedMs = performance.now() - started;
      const fps = rendered / Math.max(elapsedMs / 1000, 1e-9);
      options.onProgress?.({ done: Math.min(rendered, total), total, elapsedMs, fps, etaSeconds: (total - rendered) / Math.max(fps, 1e-9), workers: backend.activeWorkers() });
    };
    const context = {
      signal: abort.signal,
      onFrames: (count: number): void => {
        rendered += count;
        report();
      },
    };
    const pending: Array<Promise<RenderedUnit>> = [];
    let submitted = 0;
    let consumed = 0;
    const fill = (): void => {
      while (submitted < units.length && submitted - consumed < window) {
        const unit = backend.render(loaded, units[submitted++], context);
        // Awaited in order later; until then a failure must not count as unhandled.
        unit.catch(() => undefined);
        pending.push(unit);
      }
    };
    try {
      while (consumed < units.length) {
        fill();
        const unit = await untilAborted(pending[consumed], abort.signal);
        consumed++;
        try {
          this.renderMs += unit.renderMs;
          for await (const frame of unit.frames(abort.signal)) yield frame;
        } finally {
          await unit.release();
        }
      }
    } catch (error) {
      abort.abort(error);
      throw options.signal?.aborted ? options.signal.reason : error;
    } finally {
      abort.abort();
      options.signal?.removeEventListener('abort', onOuterAbort);
      // Units still in flight: wait for them to stop, then give back what
      // those that were rendered but never read hold (their frame buffers).
      const unread = await Promise.allSettled(pending.slice(consumed));
      await Promise.allSettled(unread.map((unit) => (unit.status === 'fulfilled' ? unit.value.release() : undefined)));
    }
  }
}

/** Frames [range] of `loaded`, in order, rendered by `source`. */
export function scheduleFrames(source: FrameSource, loaded: LoadedScene, options: ScheduleOptions = {}): FrameStream {
  return new FrameStream(source, loaded, options);
}

/** Turns frame counts as they come into progress reports (rate, time left, workers busy). */
export function progressCounter(total: number, activeWorkers: () => number, onProgress?: (progress: Progress) => void): (frames: number) => void {
  const started = performance.now();
  let done = 0;
  return (frames) => {
    done += frames;
    if (!onProgress) return;
    const elapsedMs = performance.now() - started;
    const fps = done / Math.max(elapsedMs / 1000, 1e-9);
    onProgress({ done: Math.min(done, total), total, elapsedMs, fps, etaSeconds: (total - done) / Math.max(fps, 1e-9), workers: activeWorkers() });
  };
}
