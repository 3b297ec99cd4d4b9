/**
 * GIF, encoded here as frames stream in (no palette pass, no scratch copy,
 * memory independent of the video's length) on threads of their own, so the
 * render loop never waits for it: each frame gets its own palette, only what
 * changed is redrawn (gif/frame-coder.ts), delays add up to the video's exact
 * length, it loops forever and carries the scene in a comment. A piece is the
 * image blocks of its frames, the first coded whole; the join writes the
 * head, every piece and the trailer. The settings are decided once, before
 * any piece (gif/gif-job.ts): with `maxBytes`, the first frames are encoded
 * at a ladder of settings to choose the best that fits.
 */
import { closeSync, createReadStream, createWriteStream, openSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { fileSystemError, UserError } from '../../errors.js';
import type { EncodeJob, JoinJob, PieceEncoder, PieceJob } from '../encoder.js';
import { chooseGif, impossibleBudget, FrameSelection, finishedGifNote, gifSampleSize, type ChosenGif, type GifVideo } from '../gif/gif-job.js';
import type { GifTask, GifTaskResult } from '../gif/gif-messages.js';
import { GIF_TRAILER, gifHead } from '../gif/gif-stream.js';
import { endGifThread, keepGifThread, takeGifThread, type GifThread } from '../gif/gif-threads.js';
import { readGifComment } from '../gif-file.js';
import { videoFrameCheck } from '../output-checks.js';
import type { OutputFormat } from './output-format.js';

export { budgetLadder, defaultGifFps, describeSettings, type ChosenGif, type GifSettings } from '../gif/gif-job.js';

/** Frames handed to the thread and not yet answered: enough to keep it busy, few enough to bound memory. */
const FRAMES_IN_FLIGHT = 3;

/** The GIF's size budget in bytes, or undefined. */
export function gifBudget(job: Pick<EncodeJob, 'options'>): number | undefined {
  return job.options.gif.maxBytes;
}

/** The video as the GIF's threads need it (no paths: a thread writes to a descriptor it is given). */
function gifVideo(job: EncodeJob): GifVideo {
  return { width: job.width, height: job.height, fps: job.fps, frameCount: job.frameCount, options: job.options, metadata: job.metadata };
}

/** Video frames the GIF must see before its settings are known (under a size budget), else 0. */
export function gifFramesToDecide(job: EncodeJob): number {
  return gifSampleSize(job, gifBudget(job));
}

/** Turns a thread's answer into a value, or its failure into the error to throw. */
function answered(result: GifTaskResult, path: string): GifTaskResult {
  if (result.type !== 'failed') return result;
  const cause = Object.assign(new Error(result.message), { code: result.code });
  throw result.user ? new UserError(result.message) : (fileSystemError(path, cause) ?? cause);
}

/**
 * The GIF's settings, decided once for all its pieces. Without a budget
 * there is nothing to measure; under one, the ladder's trial encodes of the
 * first frames (`sample`) run on a GIF thread, away from the render loop.
 */
export async function decideGif(job: EncodeJob, sample: Uint8Array[], pieces: number): Promise<ChosenGif> {
  const budget = gifBudget(job);
  if (budget === undefined) return chooseGif(gifVideo(job), undefined, [], pieces);
  const thread = takeGifThread();
  try {
    const frames = sample.map((frame) => frame.slice().buffer);
    const result = answered(await thread.run({ type: 'choose', video: gifVideo(job), budget, pieces, frames } satisfies GifTask, { transferList: frames }), job.path);
    keepGifThread(thread);
    if (result.type !== 'chosen') throw new Error('the GIF thread answered out of turn');
    return result.chosen;
  } catch (error) {
    await endGifThread(thread);
    throw error;
  }
}

class GifPieceEncoder implements PieceEncoder {
  private fd: number | undefined;
  /**
   * One thread: its tasks run one at a time, though not always in the order
   * sent (the thread puts frames back in order). Undefined once handed back
   * for the next piece.
   */
  private thread: GifThread | undefined;
  private readonly inFlight: Array<Promise<void>> = [];
  /** Frame buffers the thread has finished with. */
  private readonly spare: ArrayBuffer[] = [];
  /** The frames the GIF shows: the others are not sent at all. */
  private readonly selection: FrameSelection;
  private framesSent = 0;

  constructor(private readonly job: PieceJob) {
    const chosen = job.settings.gif;
    if (!chosen) throw new Error('a GIF piece needs the GIF settings decided for the whole video');
    this.selection = new FrameSelection(job.frameCount, job.fps, chosen.settings.fps, job.range);
    try {
      this.fd = openSync(job.path, 'w');
    } catch (error) {
      throw fileSystemError(job.path, error) ?? error;
    }
    this.thread = takeGifThread();
    this.send({ type: 'start', video: gifVideo(job), settings: chosen.settings, range: job.range, fd: this.fd });
  }

  /** Queues a task; its answer, if a failure, becomes the error of whoever awaits it. */
  private send(task: GifTask, transfer: ArrayBuffer[] = []): Promise<GifTaskResult> {
    if (!this.thread) throw new Error('the GIF piece has ended');
    const answer = this.thread.run(task, { transferList: transfer }).then((result) => {
      if (result.type === 'ok' && result.buffers) this.spare.push(...result.buffers);
      return answered(result, this.job.path);
    });
    const settled = answer.then(() => undefined);
    // Awaited later, or never when the render stops (then the pool's end rejects
    // them all): not unhandled rejections, which would end the process.
    answer.catch(() => undefined);
    settled.catch(() => undefined);
    this.inFlight.push(settled);
    return answer;
  }

  async writeFrame(rgba: Uint8Array, index: number): Promise<void> {
    if (!this.selection.takes(index)) return;
    // The render reuses its frame buffer: the thread gets a copy of its own, in
    // memory that the thread handed back (or new, while there is none).
    const spare = this.spare.pop();
    const copy = spare && spare.byteLength === rgba.byteLength ? new Uint8Array(spare) : new Uint8Array(rgba.byteLength);
    copy.set(rgba);
    this.send({ type: 'frame', sequence: this.framesSent++, index, buffer: copy.buffer }, [copy.buffer]);
    while (this.inFlight.length > FRAMES_IN_FLIGHT) await this.inFlight.shift();
  }

  async finish(): Promise<void> {
    try {
      for (const task of this.inFlight.splice(0)) await task;
      await this.send({ type: 'end' });
      // Its piece ended cleanly: the thread, compiled by now, can code the next one.
      keepGifThread(this.thread!);
      this.thread = undefined;
      closeSync(this.fd!);
      this.fd = undefined;
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async abort(): Promise<void> {
    if (this.thread) await endGifThread(this.thread);
    this.thread = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.job.path, { force: true });
  }
}

/** Writes the head, every piece's bytes in turn and the trailer; returns the file's size. */
async function joinGif(pieces: string[], job: JoinJob, temp: string): Promise<number> {
  const { settings } = job.settings.gif!;
  const out = createWriteStream(temp);
  const done = finished(out);
  let bytes = 0;
  const write = async (data: Uint8Array): Promise<void> => {
    bytes += data.length;
    if (!out.write(data)) await new Promise<void>((resolve, reject) => {
      out.once('drain', resolve);
      done.catch(reject);
    });
  };
  try {
    await write(gifHead(settings.width, settings.height, job.metadata));
    for (const piece of pieces) {
      // Stopped between pieces (an interrupt, a sibling output failed); the caller removes the file.
      job.signal?.throwIfAborted();
      for await (const data of createReadStream(piece, { signal: job.signal })) await write(data as Buffer);
    }
    await write(GIF_TRAILER);
    out.end();
    await done;
  } catch (error) {
    out.destroy();
    await done.catch(() => undefined);
    throw error;
  }
  return bytes;
}

export const gif: OutputFormat = {
  name: 'gif',
  extensions: ['.gif'],
  outputPath: (stem) => `${stem}.gif`,
  pieceName: 'piece.gif',
  // An impossible budget is known before any frame is rendered.
  validate(job) {
    const budget = gifBudget(job);
    const impossible = budget === undefined ? undefined : impossibleBudget(job, budget);
    if (impossible) throw new UserError(impossible);
  },
  createPieceEncoder: (job) => new GifPieceEncoder(job),
  async join(pieces, job, temp) {
    const bytes = await joinGif(pieces, job, temp);
    return finishedGifNote(job.settings.gif!, bytes, gifBudget(job));
  },
  // Read back before commit: a GIF cut short (a full disk) never replaces anything.
  check: (job) => videoFrameCheck(new FrameSelection(job.frameCount, job.fps, job.settings.gif!.settings.fps).totalFrames),
  readMetadata: async (path) => readGifComment(path),
  // Encoded here, without ffmpeg.
  needs: { encoders: [] },
};
