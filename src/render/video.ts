/**
 * Videos: the video is cut into pieces (piece-plan.ts); the backend renders
 * each piece and codes it into a piece of every format (on this machine's
 * threads, or on a cluster's workers), a few pieces at a time so memory stays
 * bounded however long the video; then each output is joined from its
 * pieces without coding again, checked, and all of them are moved into place
 * together. The same pieces whoever renders them: the same bytes.
 */
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { EncodingSettings } from '../encode/encoder.js';
import { outputFormat, outputPath } from '../encode/formats/index.js';
import { JoinedOutput } from '../encode/joined-output.js';
import { InterruptedError, type Text } from '../errors.js';
import { ScratchFolder } from '../files/index.js';
import type { Format, LoadedScene } from '../scene/index.js';
import { videoEncodeJob } from './encode-job.js';
import type { EncodedPiece, FrameBackend, FrameRange } from './frame-backend.js';
import { createLocalBackend } from './local-backend.js';
import { piecesFor } from './piece-plan.js';
import type { RenderPool } from './pool.js';
import { progressCounter, untilAborted, type Progress } from './scheduler.js';

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
  /** Called once every piece is rendered and coded, while the outputs are joined and checked. */
  onFinishing?: () => void;
  /**
   * The pieces to cut (default: piecesFor the frame count and formats). For measuring
   * what pieces cost, e.g. one piece for the whole video; other pieces give
   * other bytes than every other render of the scene.
   */
  pieces?: FrameRange[];
}

export interface VideoResult {
  /** Each output, with what its encoder chose by itself when there is something to say. */
  outputs: Array<{ format: Format; path: string; note?: Text }>;
  frames: number;
  /** Pieces the video was coded in. */
  pieces: number;
  wallMs: number;
  /** Time the workers spent rendering, summed over workers (0 where the backend does not know: a cluster). */
  renderMs: number;
  /** Time to join the pieces into the outputs and check them, after the last piece. */
  finishMs: number;
}

/**
 * Runs `work` for every piece, at most `window` at once, in the video's
 * order; the first failure stops the rest (through `abort`) and is thrown
 * once every piece started has settled.
 */
async function eachPiece(ranges: FrameRange[], window: number, abort: AbortController, work: (range: FrameRange, k: number) => Promise<void>): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for (let k = 0; k < ranges.length && !failure && !abort.signal.aborted; k++) {
    while (inFlight.size >= Math.max(1, window) && !failure) await Promise.race(inFlight);
    if (failure || abort.signal.aborted) break;
    const task: Promise<void> = work(ranges[k], k).then(
      () => void inFlight.delete(task),
      (error: unknown) => {
        inFlight.delete(task);
        failure ??= { error };
        abort.abort(error);
      },
    );
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  if (abort.signal.aborted) throw abort.signal.reason;
}

/**
 * Joins every output. Joining is quick (no coding): it is let finish even
 * when the render is stopped. When one output fails the others are stopped
 * (their ffmpeg killed), and every join has ended before the first failure is
 * thrown, so none is left writing a file that is about to be removed, or
 * reading pieces that are.
 */
async function joinAll(outputs: JoinedOutput[], piecesOf: (i: number) => string[], settings: EncodingSettings, ranges: FrameRange[]): Promise<void> {
  const failed = new AbortController();
  await Promise.allSettled(
    outputs.map((output, i) =>
      output.join(piecesOf(i), settings, ranges, failed.signal).catch((error: unknown) => {
        failed.abort(error);
      }),
    ),
  );
  if (failed.signal.aborted) throw failed.signal.reason;
}

export async function renderVideo(loaded: LoadedScene, options: VideoOptions = {}): Promise<VideoResult> {
  if (options.signal?.aborted) throw options.signal.reason;
  const started = performance.now();
  const { model } = loaded;
  const total = model.timeline.frameCount;
  const formats = options.formats ?? loaded.scene.output.formats;
  const stem = options.outStem ?? join('output', model.name);
  const ranges = options.pieces ?? piecesFor(total, formats);
  const backend = options.backend ?? createLocalBackend({ workers: options.workers, pool: options.pool });
  const abort = new AbortController();
  // Every piece in flight listens to the one signal.
  setMaxListeners(0, abort.signal);
  const onOuterAbort = (): void => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const outputs: JoinedOutput[] = [];
  const pieces: EncodedPiece[] = [];
  // Pieces on this machine wait in a folder of their own, beside the outputs: every output reads them, none owns them.
  let scratch: ScratchFolder | undefined;
  const releaseAll = async (): Promise<void> => {
    await Promise.allSettled(pieces.splice(0).filter(Boolean).map((piece) => piece.release()));
    scratch?.remove();
    scratch = undefined;
  };
  try {
    // Every output is prepared first: a path or scene that cannot make one fails before any work.
    for (const format of formats) outputs.push(new JoinedOutput(outputFormat(format), videoEncodeJob(loaded, outputPath(stem, format))));
    // PNG frames are written straight into their folder.
    const piecePath = (format: Format, k: number): string => {
      const output = outputs[formats.indexOf(format)];
      if (output.format.folder) return output.tempPath;
      scratch ??= new ScratchFolder(stem, 'pieces');
      return join(scratch.path, `${String(k).padStart(5, '0')}-${output.format.pieceName}`);
    };
    const settings: EncodingSettings = await untilAborted(backend.encodingSettings(loaded, formats, ranges.length, abort.signal), abort.signal);
    const count = progressCounter(total, () => backend.activeWorkers(), options.onProgress);
    const label = outputs.length === 1 ? outputs[0].path : `${stem}.*`;
    let renderMs = 0;
    await eachPiece(ranges, backend.pieceWindow, abort, async (range, k) => {
      const piece = await backend.encodePiece({ loaded, range, formats, settings, label, piecePath: (format) => piecePath(format, k) }, { signal: abort.signal, onFrames: count });
      pieces[k] = piece;
      renderMs += piece.renderMs;
    });
    const finishStarted = performance.now();
    options.onFinishing?.();
    await joinAll(outputs, (i) => pieces.map((piece) => piece.files[formats[i]]!), settings, ranges);
    if (abort.signal.aborted) throw abort.signal.reason;
    // Every format is complete: only now do they replace what was there, together.
    for (const output of outputs) output.commit();
    await releaseAll();
    await backend.complete?.(loaded, formats);
    return {
      outputs: outputs.map((output, i) => ({ format: formats[i], path: output.path, note: output.note })),
      frames: total,
      pieces: ranges.length,
      wallMs: performance.now() - started,
      renderMs,
      finishMs: performance.now() - finishStarted,
    };
  } catch (error) {
    abort.abort(error);
    for (const output of outputs) output.discard();
    await releaseAll();
    // Stopped from outside (Ctrl-C): that, not the aborted pieces' errors, is the cause.
    const reason: unknown = options.signal?.aborted ? options.signal.reason : undefined;
    throw reason instanceof InterruptedError ? reason : error;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    if (!options.backend) await backend.close();
  }
}
