/**
 * The local backend: pixels computed on this machine — by its thread pool,
 * one frame per unit into shared buffers that are reused once read (so a
 * render holds a fixed number of frames, however long the video), or by a
 * GPU (render/gpu) — and a few pieces coded at once, each by its own
 * encoders, so that many cores code in parallel as they render in parallel.
 */
import { availableParallelism } from 'node:os';
import type { LoadedScene } from '../scene/index.js';
import { encodePieceHere, encodingSettingsHere } from './encode-piece.js';
import type { FrameBackend, FrameRange, PixelSource, RenderedUnit, Still, UnitContext } from './frame-backend.js';
import type { FrameSelector } from './frame-renderer.js';
import { createRenderPool, defaultWorkerCount, type RenderPool } from './pool.js';
import { scenePayload } from './scene-payload.js';

export interface LocalBackendOptions {
  /** Worker threads (default: one per core). */
  workers?: number;
  /** An existing pool to share (closing the backend leaves it running). */
  pool?: RenderPool;
}

export interface LocalBackend extends FrameBackend {
  readonly pool: RenderPool;
  /** The threads' frames, in order, for those who want frames rather than pieces. */
  readonly frames: PixelSource;
}

/** The CPU threads as a pixel source: the exact reference kernels. */
export function threadPixels(pool: RenderPool, ownsPool: boolean): PixelSource {
  // Frame buffers given back, by size, for the next units to reuse.
  const spare = new Map<number, SharedArrayBuffer[]>();
  const take = (bytes: number): SharedArrayBuffer => spare.get(bytes)?.pop() ?? new SharedArrayBuffer(bytes);
  const giveBack = (buffer: SharedArrayBuffer): void => {
    const list = spare.get(buffer.byteLength) ?? [];
    // Enough for every window in use; more would only hold memory.
    if (list.length < pool.threads * 4 + 4) list.push(buffer);
    spare.set(buffer.byteLength, list);
  };
  return {
    description: `${pool.threads} thread${pool.threads === 1 ? '' : 's'}`,
    renderedBy: { backend: 'cpu' },
    // Enough frames in flight to keep every thread busy while the oldest is encoded.
    plan: () => ({ unitFrames: 1, window: pool.threads * 2 + 2 }),
    async render(loaded: LoadedScene, range: FrameRange, context: UnitContext): Promise<RenderedUnit> {
      const frameBytes = loaded.model.width * loaded.model.height * 4;
      const count = range.end - range.start;
      const buffer = take(frameBytes * count);
      const payload = scenePayload(loaded);
      let renderMs = 0;
      try {
        await Promise.all(
          Array.from({ length: count }, async (_, i) => {
            const result = await pool.run({ scene: payload, frame: { index: range.start + i }, target: buffer, offset: i * frameBytes }, context.signal);
            renderMs += result.renderMs;
            context.onFrames(1);
          }),
        );
      } catch (error) {
        giveBack(buffer);
        throw error;
      }
      return {
        renderMs,
        async *frames() {
          for (let i = 0; i < count; i++) yield new Uint8Array(buffer, i * frameBytes, frameBytes);
        },
        release: async () => giveBack(buffer),
      };
    },
    activeWorkers: () => pool.threads,
    picture: (loaded, selector, signal) => renderBands(pool, loaded, selector, signal),
    close: async () => {
      if (ownsPool) await pool.destroy();
    },
  };
}

/**
 * Pieces rendered from `pixels` and coded on this machine. `codingThreads`:
 * the cores that code (each piece runs one GIF thread and one x264), which
 * decide how many pieces are coded at once.
 */
export function piecesHere(pixels: PixelSource, codingThreads: number): FrameBackend {
  // Pieces coded at once: one GIF thread and one x264 each, so about one per two cores codes as fast as the pixels come.
  const pieceWindow = Math.max(2, Math.ceil(codingThreads / 2));
  // Each piece's share of the frames in flight, so that all of them together keep the source busy.
  const frameWindow = Math.ceil(pixels.plan(Number.MAX_SAFE_INTEGER).window / pieceWindow) + 1;
  return {
    description: pixels.description,
    renderedBy: pixels.renderedBy,
    // Two items at a time: while one item's encoders finish, the other's frames keep the source busy.
    itemConcurrency: 2,
    pieceWindow,
    encodingSettings: (loaded, formats, pieces, signal) => encodingSettingsHere(pixels, loaded, formats, pieces, signal),
    encodePiece: (request, context) => encodePieceHere(pixels, request, context, frameWindow),
    activeWorkers: () => pixels.activeWorkers(),
    picture: (loaded, selector, signal) => pixels.picture(loaded, selector, signal),
    close: () => pixels.close(),
  };
}

export function createLocalBackend(options: LocalBackendOptions = {}): LocalBackend {
  const pool = options.pool ?? createRenderPool(options.workers ?? defaultWorkerCount());
  const frames = threadPixels(pool, !options.pool);
  return { ...piecesHere(frames, pool.threads), pool, frames };
}

/** The cores this machine codes pieces on when a GPU computes the pixels. */
export function codingCores(): number {
  return availableParallelism();
}

/**
 * One picture across every thread, its rows split into bands. Every pixel
 * costs the same (one network for all), so one band per thread balances the
 * load; more bands only add dispatch overhead (measured).
 */
async function renderBands(pool: RenderPool, loaded: LoadedScene, selector: FrameSelector, signal?: AbortSignal): Promise<Still> {
  const { width, height } = loaded.model;
  const target = new SharedArrayBuffer(width * height * 4);
  const payload = scenePayload(loaded);
  const bands = Math.min(height, pool.threads);
  await Promise.all(
    Array.from({ length: bands }, (_, b) => {
      const start = Math.floor((b * height) / bands);
      const end = Math.floor(((b + 1) * height) / bands);
      return pool.run({ scene: payload, frame: selector, rows: { start, end }, target, offset: start * width * 4 }, signal);
    }),
  );
  return { width, height, data: new Uint8Array(target) };
}
