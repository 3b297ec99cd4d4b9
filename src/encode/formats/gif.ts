/**
 * GIF, encoded here as frames stream in (no palette pass, no scratch copy,
 * memory independent of the video's length) on a thread of its own, so the
 * render loop never waits for it: each frame gets its own palette, only what
 * changed is redrawn (gif/frame-coder.ts), delays add up to the video's exact
 * length, it loops forever and carries the scene in a comment. With
 * `maxBytes`, the first frames are encoded at a ladder of settings to choose
 * the best that fits (gif/gif-job.ts).
 */
import { closeSync, openSync } from 'node:fs';
import { fileSystemError, UserError } from '../../errors.js';
import { parseByteSize } from '../../scene/index.js';
import { PendingOutput } from '../atomic-output.js';
import { videoFrameCheck } from '../output-checks.js';
import type { EncodeJob, Encoder } from '../encoder.js';
import { impossibleBudget, selectionAhead, type FrameSelection } from '../gif/gif-job.js';
import type { GifTask, GifTaskResult } from '../gif/gif-messages.js';
import { endGifThread, keepGifThread, takeGifThread, type GifThread } from '../gif/gif-threads.js';
import { readGifComment } from '../gif-file.js';
import type { OutputFormat } from './output-format.js';

export { budgetLadder, defaultGifFps, describeSettings, type GifSettings } from '../gif/gif-job.js';

/** Frames handed to the thread and not yet answered: enough to keep it busy, few enough to bound memory. */
const FRAMES_IN_FLIGHT = 3;

class GifEncoder implements Encoder {
  readonly format = 'gif';
  private readonly output: PendingOutput;
  private fd: number | undefined;
  /**
   * One thread: its tasks run one at a time, though not always in the order
   * sent (the thread puts frames back in order). Undefined once handed back
   * for the next GIF.
   */
  private thread: GifThread | undefined;
  private readonly inFlight: Array<Promise<void>> = [];
  /** Frame buffers the thread has finished with. */
  private readonly spare: ArrayBuffer[] = [];
  private totalFrames = 1;
  /** The frames the GIF shows, when known ahead: the others are not sent at all. */
  private readonly selection: FrameSelection | undefined;
  private framesSeen = 0;
  private framesSent = 0;
  private note: string | undefined;

  constructor(private readonly job: EncodeJob) {
    const budget = job.output.gif.maxBytes === undefined ? undefined : parseByteSize(job.output.gif.maxBytes);
    const impossible = budget === undefined ? undefined : impossibleBudget(job, budget);
    if (impossible) throw new UserError(impossible);
    // Read back before commit: a GIF cut short (a full disk) never replaces anything.
    this.output = new PendingOutput(job.path, { verify: (temp) => videoFrameCheck(this.totalFrames)(temp) });
    try {
      this.fd = openSync(this.output.tempPath, 'w');
    } catch (error) {
      this.output.discard();
      throw fileSystemError(job.path, error) ?? error;
    }
    this.thread = takeGifThread();
    this.selection = selectionAhead(job, budget);
    this.send({ type: 'start', job, fd: this.fd, budget });
  }

  get path(): string {
    return this.job.path;
  }

  summary(): string | undefined {
    return this.note;
  }

  /** Queues a task; its answer, if a failure, becomes the error of whoever awaits it. */
  private send(task: GifTask, transfer: ArrayBuffer[] = []): Promise<GifTaskResult> {
    if (!this.thread) throw new Error('the GIF has ended');
    const answer = this.thread.run(task, { transferList: transfer }).then((result) => {
      if (result.type === 'ok' && result.buffers) this.spare.push(...result.buffers);
      if (result.type === 'failed') {
        const cause = Object.assign(new Error(result.message), { code: result.code });
        throw result.user ? new UserError(result.message) : (fileSystemError(this.job.path, cause) ?? cause);
      }
      return result;
    });
    const settled = answer.then(() => undefined);
    // Awaited later, or never when the render stops (then the pool's end rejects
    // them all): not unhandled rejections, which would end the process.
    answer.catch(() => undefined);
    settled.catch(() => undefined);
    this.inFlight.push(settled);
    return answer;
  }

  async writeFrame(rgba: Uint8Array): Promise<void> {
    const index = this.framesSeen++;
    if (this.selection && !this.selection.takes(index)) return;
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
      const done = await this.send({ type: 'end' });
      if (done.type === 'done') {
        this.totalFrames = done.totalFrames;
        this.note = done.note;
      }
      // Its GIF ended cleanly: the thread, compiled by now, can code the next one.
      keepGifThread(this.thread!);
      this.thread = undefined;
      closeSync(this.fd!);
      this.fd = undefined;
    } catch (error) {
      await this.abort();
      throw error;
    }
    await this.output.verify();
  }

  commit(): void {
    this.output.commit();
  }

  async abort(): Promise<void> {
    if (this.thread) await endGifThread(this.thread);
    this.thread = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.output.discard();
  }
}

export const gif: OutputFormat = {
  name: 'gif',
  extensions: ['.gif'],
  outputPath: (stem) => `${stem}.gif`,
  createEncoder: (job) => new GifEncoder(job),
  readMetadata: async (path) => readGifComment(path),
  // Encoded here, without ffmpeg.
  needs: { encoders: [] },
};
