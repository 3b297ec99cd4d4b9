/**
 * One GIF from start to end, wherever it runs (the GIF encoder runs it on a
 * thread of its own, beside the render): the settings (the scene's, or under
 * a size budget the best that fits, measured on the first frames), frame
 * selection for the GIF's rate, resampling for its size, and the stream.
 */
import { UserError } from '../../errors.js';
import type { SceneFile } from '../../scene/index.js';
import { gifSize } from '../../scene/gif-size.js';
import type { EncodeJob } from '../encoder.js';
import type { FrameCoding } from './frame-coder.js';
import { commentExtension } from '../gif-file.js';
import { GifStream } from './gif-stream.js';
import { Resampler } from './resample.js';

/**
 * GIF delays are hundredths of a second, and browsers play delays under 2/100 s
 * as 10/100 s: above 50 fps a GIF would crawl. A GIF also costs about two
 * bits a pixel, so a large picture at full rate runs to megabytes a second.
 * By default a GIF keeps every k-th frame: the smallest k that brings it to
 * 50 fps or below, then, while it shows more than GIF_PIXEL_RATE pixels a
 * second, a larger k as long as that keeps 15 fps or more (the rate most
 * shared GIFs play at). A 512×512, 30 fps video gives a 15 fps GIF; a
 * 256×256 one keeps all 30.
 */
export function defaultGifFps(fps: number, width: number, height: number): number {
  let k = 1;
  while (fps / k > 50) k++;
  while (width * height * (fps / k) > GIF_PIXEL_RATE && fps / (k + 1) >= MIN_DEFAULT_GIF_FPS) k++;
  return fps / k;
}

/** Pixels a second above which the default GIF drops frames (512×512 at 15 fps is just under). */
const GIF_PIXEL_RATE = 4_000_000;
const MIN_DEFAULT_GIF_FPS = 15;

type GifOptions = SceneFile['output']['gif'];

/** The settings one GIF is made with. */
export interface GifSettings {
  width: number;
  height: number;
  fps: number;
  coding: FrameCoding;
}

/**
 * The settings the scene asks for. Under a size budget with no fps given, the
 * search starts from the full rate (the budget decides what to drop), and
 * from the GIF's size (output.gif.size, or the default, see gif-size.ts).
 */
function requestedSettings(job: EncodeJob, budget: boolean): GifSettings {
  const gif: GifOptions = job.output.gif;
  const [width, height] = gifSize(gif.size, job.width, job.height);
  return {
    width,
    height,
    fps: gif.fps ?? (budget ? defaultGifFps(job.fps, 0, 0) : defaultGifFps(job.fps, width, height)),
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

function ordinal(k: number): string {
  return k === 2 ? '2nd' : k === 3 ? '3rd' : `${k}th`;
}

function megabytes(bytes: number): string {
  return bytes < 1e5 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;
}

/** Above this size, the render says how to ask for a smaller GIF. */
const LARGE_GIF = 10_000_000;

/** Frames used to measure settings against a budget: one second, within 64 MB of frames. */
const SAMPLE_SECONDS = 1;
const SAMPLE_MEMORY = 64 * 1024 * 1024;
/** Measured sizes are extrapolated; this much is kept in reserve. */
const BUDGET_MARGIN = 0.9;

/**
 * Which frames of the video a GIF at `gifFps` shows: GIF frame j shows video
 * frame round(j · fps / gifFps). Asked about frames in order, it answers
 * whether each is the next one the GIF needs.
 */
export class FrameSelection {
  readonly totalFrames: number;
  private next = 0;

  constructor(
    frameCount: number,
    private readonly fps: number,
    private readonly gifFps: number,
  ) {
    this.totalFrames = Math.max(1, Math.round((frameCount * gifFps) / fps));
  }

  /** Whether video frame `index` is the next the GIF shows (then it counts as shown). */
  takes(index: number): boolean {
    if (this.next >= this.totalFrames || Math.round((this.next * this.fps) / this.gifFps) !== index) return false;
    this.next++;
    return true;
  }

  get taken(): number {
    return this.next;
  }
}

/**
 * The frames a GIF will need, when that is known before any frame is seen
 * (no size budget, whose search needs every frame); the encoder then sends
 * the GIF's thread only those.
 */
export function selectionAhead(job: EncodeJob, budget: number | undefined): FrameSelection | undefined {
  if (budget !== undefined) return undefined;
  return new FrameSelection(job.frameCount, job.fps, requestedSettings(job, false).fps);
}

/** Bytes a GIF frame takes at the very least: its control and image blocks and the shortest LZW data. */
const MIN_FRAME_BYTES = 20;
/** The GIF's signature, screen descriptor, loop extension and trailer. */
const MIN_FRAME_FREE_BYTES = 33;

/**
 * Why no GIF of this video can fit `budget` bytes, whatever the search
 * chooses (its fewest frames, each as small as a frame can be, after the
 * scene it carries), or undefined when it may. Known before any frame is
 * rendered, so an impossible budget costs no render.
 */
export function impossibleBudget(job: EncodeJob, budget: number): string | undefined {
  const lowest = Math.min(...budgetLadder(requestedSettings(job, true)).map((s) => s.fps));
  const frames = new FrameSelection(job.frameCount, job.fps, lowest).totalFrames;
  const comment = job.metadata === undefined ? 0 : commentExtension(job.metadata).length;
  const floor = MIN_FRAME_FREE_BYTES + comment + frames * MIN_FRAME_BYTES;
  if (budget >= floor) return undefined;
  return (
    `output.gif.maxBytes: ${megabytes(budget)} cannot hold this GIF: even at ${Number(lowest.toFixed(2))} fps it has ${frames} frames of ${MIN_FRAME_BYTES} bytes or more, ` +
    `after the scene it carries (${megabytes(comment)}), more than ${megabytes(floor)} in all; raise the budget or shorten the video`
  );
}

/** One GIF being written: frame selection (fps), resampling (size) and the stream. */
class GifWriter {
  private readonly stream: GifStream;
  private readonly resampler: Resampler | undefined;
  private readonly selection: FrameSelection;

  constructor(
    job: EncodeJob,
    readonly settings: GifSettings,
    write: (data: Uint8Array) => void,
    comment?: string,
  ) {
    this.selection = new FrameSelection(job.frameCount, job.fps, settings.fps);
    this.resampler = settings.width !== job.width || settings.height !== job.height ? new Resampler(job.width, job.height, settings.width, settings.height) : undefined;
    this.stream = new GifStream(settings.width, settings.height, settings.fps, settings.coding, write, comment);
  }

  get totalFrames(): number {
    return this.selection.totalFrames;
  }

  /** Takes video frame `index` (frames come in order; some may be missing, those the GIF does not show). */
  add(rgba: Uint8Array, index: number): void {
    if (this.selection.takes(index)) this.stream.addFrame(this.resampler ? this.resampler.resample(rgba) : rgba);
  }

  get bytes(): number {
    return this.stream.bytes;
  }

  get framesWritten(): number {
    return this.selection.taken;
  }

  end(): void {
    this.stream.end();
  }
}

/** What the render says when the GIF's size or rate are defaults that differ from the video's. */
function defaultsNote(job: EncodeJob, settings: GifSettings): string | undefined {
  const scaled = job.output.gif.size === undefined && (settings.width !== job.width || settings.height !== job.height);
  const thinned = job.output.gif.fps === undefined && settings.fps !== job.fps;
  const rate = `${Number(settings.fps.toFixed(2))} fps: every ${ordinal(Math.round(job.fps / settings.fps))} frame`;
  const size = `${settings.width}x${settings.height} of the ${job.width}x${job.height} video`;
  if (scaled && thinned) return `${size}, ${rate}, to keep it small; output.gif.size and output.gif.fps set them, --gif-max-size a budget`;
  if (scaled) return `${size}, to keep it small; output.gif.size sets the size, --gif-max-size a budget`;
  if (thinned) return `${rate}, to keep it small; output.gif.fps sets the rate`;
  return undefined;
}

/** What a finished GIF job reports. */
export interface GifJobResult {
  bytes: number;
  /** What the job chose by itself, worth telling the user. */
  note?: string;
}

export class GifJob {
  private writer: GifWriter | undefined;
  private sample: Uint8Array[] = [];
  private readonly sampleSize: number;
  private note: string | undefined;

  /**
   * `write` receives the file's bytes in order; `budget` is output.gif.maxBytes
   * in bytes (parsed by the caller, so this thread need not load the scene schema).
   */
  constructor(
    private readonly job: EncodeJob,
    private readonly write: (data: Uint8Array) => void,
    private readonly budget?: number,
  ) {
    this.sampleSize = Math.max(2, Math.min(job.frameCount, Math.ceil(job.fps * SAMPLE_SECONDS), Math.floor(SAMPLE_MEMORY / (job.width * job.height * 4))));
    if (this.budget === undefined) {
      const settings = requestedSettings(job, false);
      this.note = defaultsNote(job, settings);
      this.writer = this.open(settings);
    }
  }

  /** Frames the finished GIF holds (known once the settings are). */
  get totalFrames(): number {
    return this.writer?.totalFrames ?? 1;
  }

  private open(settings: GifSettings): GifWriter {
    return new GifWriter(this.job, settings, this.write, this.job.metadata);
  }

  /** Encodes the sample frames at each setting of the ladder and opens the GIF with the best one that fits. */
  private plan(): void {
    const budget = this.budget!;
    let last: { settings: GifSettings; estimate: number } | undefined;
    for (const settings of budgetLadder(requestedSettings(this.job, true))) {
      // With the scene's comment, which a small GIF can hardly ignore.
      const trial = new GifWriter({ ...this.job, frameCount: this.sample.length }, settings, () => undefined, this.job.metadata);
      let firstFrameBytes = 0;
      for (const [index, frame] of this.sample.entries()) {
        trial.add(frame, index);
        if (trial.framesWritten === 1 && firstFrameBytes === 0) firstFrameBytes = trial.bytes;
      }
      const total = new FrameSelection(this.job.frameCount, this.job.fps, settings.fps).totalFrames;
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

  /**
   * Takes frame `index` of the video (the GIF keeps what its rate needs).
   * Frames come in order; without a budget, those selectionAhead leaves out
   * may be missing. `rgba` may be reused once this returns.
   */
  add(rgba: Uint8Array, index: number): void {
    if (!this.writer) {
      // Under a budget every frame comes, and the first are measured before anything is written.
      this.sample.push(rgba.slice());
      if (this.sample.length >= this.sampleSize) this.flushSample();
      return;
    }
    this.writer.add(rgba, index);
  }

  private flushSample(): void {
    this.plan();
    for (const [index, frame] of this.sample.entries()) this.writer!.add(frame, index);
    this.sample = [];
  }

  /** Writes the end of the file; throws when a budget was overrun. */
  finish(): GifJobResult {
    if (!this.writer) this.flushSample();
    this.writer!.end();
    const bytes = this.writer!.bytes;
    if (this.budget !== undefined && bytes > this.budget) {
      throw new UserError(`output.gif.maxBytes: the GIF came out at ${megabytes(bytes)}, over the budget of ${megabytes(this.budget)} (the first frames promised less); lower output.gif.size or fps`);
    }
    // A large GIF with no budget: say how to make it smaller.
    const hint = this.budget === undefined && bytes > LARGE_GIF ? `${megabytes(bytes)}; --gif-max-size or output.gif.maxBytes makes it fit a budget` : undefined;
    const note = [this.note, hint].filter((part) => part !== undefined).join('; ');
    return { bytes, note: note || undefined };
  }
}
