/**
 * GIF, encoded here as frames stream in (no palette pass, no scratch copy,
 * memory independent of the video's length): each frame gets its own
 * palette, only what changed beyond a small tolerance is redrawn
 * (gif/frame-coder.ts), delays add up to the video's exact length, it loops
 * forever and carries the scene in a comment. With `maxBytes`, the first
 * frames are encoded at a ladder of settings to choose the best that fits.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { fileSystemError, UserError } from '../../errors.js';
import type { SceneFile } from '../../scene/index.js';
import { parseByteSize } from '../../scene/index.js';
import { PendingOutput } from '../atomic-output.js';
import { videoFrameCheck } from '../output-checks.js';
import type { EncodeJob, Encoder } from '../encoder.js';
import type { FrameCoding } from '../gif/frame-coder.js';
import { GifStream } from '../gif/gif-stream.js';
import { Resampler } from '../gif/resample.js';
import { readGifComment } from '../gif-file.js';
import type { OutputFormat } from './output-format.js';

/**
 * GIF delays are hundredths of a second, and browsers play delays under 2/100 s
 * as 10/100 s: above 50 fps a GIF would crawl. A faster video's GIF keeps every
 * k-th frame, the smallest k that brings it to 50 fps or below.
 */
export function defaultGifFps(fps: number): number {
  let k = 1;
  while (fps / k > 50) k++;
  return fps / k;
}

type GifOptions = SceneFile['output']['gif'];

/** The settings one GIF is made with. */
export interface GifSettings {
  width: number;
  height: number;
  fps: number;
  coding: FrameCoding;
}

function requestedSettings(job: EncodeJob): GifSettings {
  const gif: GifOptions = job.output.gif;
  const [width, height] = gif.size === undefined ? [job.width, job.height] : typeof gif.size === 'string' ? gif.size.split('x').map(Number) : gif.size;
  return {
    width,
    height,
    fps: gif.fps ?? defaultGifFps(job.fps),
    coding: { colors: gif.colors, dither: gif.dither, bayerScale: gif.bayerScale, tolerance: gif.tolerance },
  };
}

/** Settings to try under a size budget, best first: full size and rate with fewer colours, then lower rates, then smaller sizes. */
export function budgetLadder(best: GifSettings): GifSettings[] {
  const ladder: GifSettings[] = [];
  for (const scale of [1, 0.75, 0.5, 0.375, 0.25]) {
    const width = Math.max(1, Math.round(best.width * scale));
    const height = Math.max(1, Math.round(best.height * scale));
    for (const [rate, colours] of [[1, 1], [1, 0.5], [0.5, 1], [0.5, 0.5], [0.5, 0.25]]) {
      const fps = Math.max(1, best.fps * rate);
      const colors = Math.max(2, Math.round(best.coding.colors * colours));
      if (ladder.some((s) => s.width === width && s.fps === fps && s.coding.colors === colors)) continue;
      ladder.push({ width, height, fps, coding: { ...best.coding, colors } });
    }
  }
  return ladder;
}

export function describeSettings(s: GifSettings): string {
  return `${s.width}x${s.height}, ${Number(s.fps.toFixed(2))} fps, ${s.coding.colors} colours`;
}

function megabytes(bytes: number): string {
  return bytes < 1e5 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;
}

/** Frames used to measure settings against a budget: one second, within 64 MB of frames. */
const SAMPLE_SECONDS = 1;
const SAMPLE_MEMORY = 64 * 1024 * 1024;
/** Measured sizes are extrapolated; this much is kept in reserve. */
const BUDGET_MARGIN = 0.9;

/** One GIF being written: frame selection (fps), resampling (size) and the stream. */
class GifWriter {
  private readonly stream: GifStream;
  private readonly resampler: Resampler | undefined;
  private gifFrame = 0;
  private sourceFrame = 0;
  readonly totalFrames: number;

  constructor(
    private readonly job: EncodeJob,
    readonly settings: GifSettings,
    write: (data: Uint8Array) => void,
    comment?: string,
  ) {
    this.totalFrames = Math.max(1, Math.round((job.frameCount * settings.fps) / job.fps));
    this.resampler = settings.width !== job.width || settings.height !== job.height ? new Resampler(job.width, job.height, settings.width, settings.height) : undefined;
    this.stream = new GifStream(settings.width, settings.height, settings.fps, settings.coding, write, comment);
  }

  /** The source frame GIF frame j shows. */
  private sourceOf(j: number): number {
    return Math.round((j * this.job.fps) / this.settings.fps);
  }

  add(rgba: Uint8Array): void {
    const index = this.sourceFrame++;
    if (this.gifFrame >= this.totalFrames || this.sourceOf(this.gifFrame) !== index) return;
    this.gifFrame++;
    this.stream.addFrame(this.resampler ? this.resampler.resample(rgba) : rgba);
  }

  get bytes(): number {
    return this.stream.bytes;
  }

  get framesWritten(): number {
    return this.gifFrame;
  }

  end(): void {
    this.stream.end();
  }
}

class GifEncoder implements Encoder {
  readonly format = 'gif';
  private readonly output: PendingOutput;
  private fd: number | undefined;
  private writer: GifWriter | undefined;
  private readonly budget: number | undefined;
  private sample: Uint8Array[] = [];
  private readonly sampleSize: number;
  private note: string | undefined;

  constructor(private readonly job: EncodeJob) {
    // Read back before commit: a GIF cut short (a full disk) never replaces anything.
    this.output = new PendingOutput(job.path, { verify: (temp) => videoFrameCheck(this.writer?.totalFrames ?? 1)(temp) });
    try {
      this.fd = openSync(this.output.tempPath, 'w');
    } catch (error) {
      this.output.discard();
      throw fileSystemError(job.path, error) ?? error;
    }
    this.budget = job.output.gif.maxBytes === undefined ? undefined : parseByteSize(job.output.gif.maxBytes);
    this.sampleSize = Math.max(2, Math.min(job.frameCount, Math.ceil(job.fps * SAMPLE_SECONDS), Math.floor(SAMPLE_MEMORY / (job.width * job.height * 4))));
    if (this.budget === undefined) this.writer = this.open(requestedSettings(job));
  }

  get path(): string {
    return this.job.path;
  }

  /** What the encoder chose, to tell the user (the settings picked for a size budget). */
  summary(): string | undefined {
    return this.note;
  }

  private open(settings: GifSettings): GifWriter {
    const fd = this.fd!;
    return new GifWriter(this.job, settings, (data) => void writeSync(fd, data), this.job.metadata);
  }

  /** Encodes the sample frames at each setting of the ladder and opens the GIF with the best one that fits. */
  private plan(): void {
    const budget = this.budget!;
    let last: { settings: GifSettings; estimate: number } | undefined;
    for (const settings of budgetLadder(requestedSettings(this.job))) {
      const trial = new GifWriter({ ...this.job, frameCount: this.sample.length }, settings, () => undefined);
      let firstFrameBytes = 0;
      for (const frame of this.sample) {
        trial.add(frame);
        if (trial.framesWritten === 1 && firstFrameBytes === 0) firstFrameBytes = trial.bytes;
      }
      const total = Math.max(1, Math.round((this.job.frameCount * settings.fps) / this.job.fps));
      const rest = trial.framesWritten > 1 ? (trial.bytes - firstFrameBytes) / (trial.framesWritten - 1) : 0;
      const estimate = firstFrameBytes + rest * (total - 1) + 1;
      last = { settings, estimate };
      if (estimate <= budget * BUDGET_MARGIN) {
        this.note = `${describeSettings(settings)} to fit ${megabytes(budget)} (about ${megabytes(estimate)} expected)`;
        this.writer = this.open(settings);
        return;
      }
    }
    throw new UserError(
      `output.gif.maxBytes: the GIF cannot fit in ${megabytes(budget)}: even at ${describeSettings(last!.settings)} it would take about ${megabytes(last!.estimate)}; ` +
        'raise the budget, shorten the video, or give a smaller output.gif.size',
    );
  }

  async writeFrame(rgba: Uint8Array): Promise<void> {
    try {
      if (!this.writer) {
        // The frame buffer is reused by the render: keep a copy while measuring.
        this.sample.push(rgba.slice());
        if (this.sample.length < this.sampleSize) return;
        this.flushSample();
        return;
      }
      this.writer.add(rgba);
    } catch (error) {
      // A write that fails (a full disk) is the output's failure, named as such.
      throw fileSystemError(this.job.path, error) ?? error;
    }
  }

  private flushSample(): void {
    this.plan();
    for (const frame of this.sample) this.writer!.add(frame);
    this.sample = [];
  }

  async finish(): Promise<void> {
    try {
      if (!this.writer) this.flushSample();
      this.writer!.end();
      closeSync(this.fd!);
      this.fd = undefined;
      const size = this.writer!.bytes;
      if (this.budget !== undefined && size > this.budget) {
        throw new UserError(`output.gif.maxBytes: the GIF came out at ${megabytes(size)}, over the budget of ${megabytes(this.budget)} (the first frames promised less); lower output.gif.size or fps`);
      }
    } catch (error) {
      this.close();
      this.output.discard();
      throw fileSystemError(this.job.path, error) ?? error;
    }
    await this.output.verify();
  }

  private close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  commit(): void {
    this.output.commit();
  }

  async abort(): Promise<void> {
    this.close();
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
