/**
 * A GIF's settings and its pieces, wherever they run (the GIF encoder runs
 * them on threads of their own, beside the render): the settings are decided
 * once for the whole GIF (the scene's, or under a size budget the best that
 * fits, measured on the first frames), before any piece is coded, so every
 * piece is coded alike; a piece is the GIF frames of a range of video frames
 * (frame selection for the GIF's rate, resampling for its size), its first
 * frame coded whole.
 */
import { isText, option, UserError, words, type Text } from '../../errors.js';
import { defaultGifSize } from '../../scene/gif-size.js';
import type { EncodeJob, FrameRange } from '../encoder.js';
import type { FrameCoding } from './frame-coder.js';
import { commentExtension } from '../gif-file.js';
import { GifFrames, gifHead } from './gif-stream.js';
import { Resampler } from './resample.js';

/**
 * GIF delays are hundredths of a second, and browsers play delays under 2/100 s
 * as 10/100 s: above 50 fps a GIF would crawl. A GIF also spends bits on
 * every pixel of every frame, so a large picture at full rate makes a large file.
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

/** What a GIF is asked for: how its frames are coded and, when not the defaults, its size, rate and a size budget. */
export interface GifOptions extends FrameCoding {
  /** The GIF's size (default: the video's, scaled down, see gif-size.ts). */
  size?: readonly [number, number];
  /** The GIF's frame rate (default: defaultGifFps). */
  fps?: number;
  /** A size budget in bytes: the settings are chosen from the first frames to fit it. */
  maxBytes?: number;
}

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
export function requestedSettings(job: GifVideo, budget: boolean): GifSettings {
  const gif = job.options.gif;
  const [width, height] = gif.size ?? defaultGifSize(job.width, job.height);
  return {
    width,
    height,
    // A GIF cannot show frames the video does not have: output.gif.fps above the video's rate shows every frame.
    fps: gif.fps !== undefined ? Math.min(gif.fps, job.fps) : budget ? defaultGifFps(job.fps, 0, 0) : defaultGifFps(job.fps, width, height),
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
 * frame round(j · fps / gifFps). Asked about frames in order (those of
 * `range`, by default the whole video), it answers whether each is the next
 * one the GIF needs.
 */
export class FrameSelection {
  /** Frames of the whole GIF. */
  readonly totalFrames: number;
  /** The GIF frame of the first video frame in the range that the GIF shows. */
  readonly first: number;
  private next: number;
  private readonly end: number;

  constructor(
    frameCount: number,
    private readonly fps: number,
    private readonly gifFps: number,
    range: FrameRange = { start: 0, end: frameCount },
  ) {
    this.totalFrames = Math.max(1, Math.round((frameCount * gifFps) / fps));
    let j = Math.max(0, Math.floor((range.start * gifFps) / fps) - 1);
    while (j < this.totalFrames && this.source(j) < range.start) j++;
    this.first = j;
    this.next = j;
    this.end = range.end;
  }

  private source(j: number): number {
    return Math.round((j * this.fps) / this.gifFps);
  }

  /** Whether video frame `index` is the next the GIF shows (then it counts as shown). */
  takes(index: number): boolean {
    if (this.next >= this.totalFrames || index >= this.end || this.source(this.next) !== index) return false;
    this.next++;
    return true;
  }

  /** GIF frames of the range shown so far. */
  get taken(): number {
    return this.next - this.first;
  }
}

/** What a video's GIF is made with, decided once for all its pieces, and what to tell the user about it. */
export interface ChosenGif {
  settings: GifSettings;
  note?: Text;
}

/** The video a GIF is made from: what a piece or a choice of settings needs to know of it. */
export type GifVideo = Pick<EncodeJob, 'width' | 'height' | 'fps' | 'frameCount' | 'options' | 'metadata'>;

/** One piece of a GIF: the GIF frames of video frames [range], the first coded whole. */
export class GifPiece {
  private readonly frames: GifFrames;
  private readonly resampler: Resampler | undefined;
  private readonly selection: FrameSelection;

  constructor(
    video: GifVideo,
    readonly settings: GifSettings,
    range: FrameRange,
    write: (data: Uint8Array) => void,
  ) {
    this.selection = new FrameSelection(video.frameCount, video.fps, settings.fps, range);
    this.resampler = settings.width !== video.width || settings.height !== video.height ? new Resampler(video.width, video.height, settings.width, settings.height) : undefined;
    this.frames = new GifFrames(settings.width, settings.height, settings.fps, settings.coding, write, this.selection.first);
  }

  /** Takes video frame `index` (frames come in order; some may be missing, those the GIF does not show). */
  add(rgba: Uint8Array, index: number): void {
    if (this.selection.takes(index)) this.frames.addFrame(this.resampler ? this.resampler.resample(rgba) : rgba);
  }

  /** Whether the GIF shows video frame `index` (for senders that skip the others). */
  get bytes(): number {
    return this.frames.bytes;
  }

  get framesWritten(): number {
    return this.frames.frames;
  }
}

/** Video frames a GIF must see before its pieces can be coded: the first second under a size budget (at most 64 MB of frames), else none. */
export function gifSampleSize(video: GifVideo, budget: number | undefined): number {
  if (budget === undefined) return 0;
  return Math.max(2, Math.min(video.frameCount, Math.ceil(video.fps * SAMPLE_SECONDS), Math.floor(SAMPLE_MEMORY / (video.width * video.height * 4))));
}

/**
 * The GIF's settings: the scene's, or under a budget the first of the ladder
 * whose size, extrapolated from the first frames (`sample`, gifSampleSize of
 * them), fits with a margin. Every one of the GIF's `pieces` starts with a
 * frame coded whole, which the estimate counts.
 */
export function chooseGif(video: GifVideo, budget: number | undefined, sample: Uint8Array[], pieces = 1): ChosenGif {
  if (budget === undefined) {
    const settings = requestedSettings(video, false);
    return { settings, note: defaultsNote(video, settings) };
  }
  let last: { settings: GifSettings; estimate: number } | undefined;
  for (const settings of budgetLadder(requestedSettings(video, true))) {
    // With the scene's comment, which a small GIF can hardly ignore.
    const head = gifHead(settings.width, settings.height, video.metadata).length;
    let firstFrameBytes = 0;
    const trial = new GifPiece({ ...video, frameCount: sample.length }, settings, { start: 0, end: sample.length }, () => undefined);
    for (const [index, frame] of sample.entries()) {
      trial.add(frame, index);
      if (trial.framesWritten === 1 && firstFrameBytes === 0) firstFrameBytes = trial.bytes;
    }
    const total = new FrameSelection(video.frameCount, video.fps, settings.fps).totalFrames;
    const rest = trial.framesWritten > 1 ? (trial.bytes - firstFrameBytes) / (trial.framesWritten - 1) : 0;
    const whole = Math.min(total, Math.max(1, pieces));
    const estimate = head + firstFrameBytes * whole + rest * (total - whole) + GIF_END_BYTES;
    last = { settings, estimate };
    if (estimate <= budget * BUDGET_MARGIN) return { settings, note: `${describeSettings(settings)} to fit ${megabytes(budget)} (about ${megabytes(estimate)} expected)` };
  }
  throw new UserError(
    `output.gif.maxBytes: the GIF cannot fit in ${megabytes(budget)}: even at ${describeSettings(last!.settings)} it would take about ${megabytes(last!.estimate)}; ` +
      'raise the budget, shorten the video, or give a smaller output.gif.size',
  );
}

const GIF_END_BYTES = 1;

/** What the render says when the GIF's size or rate are defaults that differ from the video's. */
function defaultsNote(video: GifVideo, settings: GifSettings): Text | undefined {
  const scaled = video.options.gif.size === undefined && (settings.width !== video.width || settings.height !== video.height);
  const thinned = video.options.gif.fps === undefined && settings.fps !== video.fps;
  const rate = `${Number(settings.fps.toFixed(2))} fps: every ${ordinal(Math.round(video.fps / settings.fps))} frame`;
  const size = `${settings.width}x${settings.height} of the ${video.width}x${video.height} video`;
  if (scaled && thinned) return words`${size}, ${rate}, to keep it small; output.gif.size and output.gif.fps set them, ${option('gifMaxBytes')} a budget`;
  if (scaled) return words`${size}, to keep it small; output.gif.size sets the size, ${option('gifMaxBytes')} a budget`;
  if (thinned) return `${rate}, to keep it small; output.gif.fps sets the rate`;
  if (video.options.gif.fps !== undefined && video.options.gif.fps > video.fps) return `every frame, at the video's ${Number(video.fps.toFixed(2))} fps (output.gif.fps asks for ${video.options.gif.fps}, more frames than the video has)`;
  return undefined;
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
export function impossibleBudget(video: GifVideo, budget: number): string | undefined {
  const lowest = Math.min(...budgetLadder(requestedSettings(video, true)).map((s) => s.fps));
  const frames = new FrameSelection(video.frameCount, video.fps, lowest).totalFrames;
  const comment = video.metadata === undefined ? 0 : commentExtension(video.metadata).length;
  const floor = MIN_FRAME_FREE_BYTES + comment + frames * MIN_FRAME_BYTES;
  if (budget >= floor) return undefined;
  return (
    `output.gif.maxBytes: ${megabytes(budget)} cannot hold this GIF: even at ${Number(lowest.toFixed(2))} fps it has ${frames} frames of ${MIN_FRAME_BYTES} bytes or more, ` +
    `after the scene it carries (${megabytes(comment)}), more than ${megabytes(floor)} in all; raise the budget or shorten the video`
  );
}

/** What to say of a finished GIF of `bytes`; throws when it overran its budget. */
export function finishedGifNote(chosen: ChosenGif, bytes: number, budget: number | undefined): Text | undefined {
  if (budget !== undefined && bytes > budget) {
    throw new UserError(`output.gif.maxBytes: the GIF came out at ${megabytes(bytes)}, over the budget of ${megabytes(budget)} (the first frames promised less); lower output.gif.size or fps`);
  }
  // A large GIF with no budget: say how to make it smaller.
  const hint = budget === undefined && bytes > LARGE_GIF ? words`${megabytes(bytes)}; ${option('gifMaxBytes')} or output.gif.maxBytes makes it fit a budget` : undefined;
  if (chosen.note === undefined || hint === undefined) return chosen.note ?? hint;
  return words`${chosen.note}; ${hint}`;
}

/** Checks settings that came from elsewhere (a cluster job): throws a plain Error naming what is wrong. */
export function checkGifSettings(value: unknown): ChosenGif {
  const record = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const whole = (v: unknown, min: number, max: number): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
  if (!record(value) || !record(value.settings)) throw new Error('the GIF settings are not an object');
  const { width, height, fps, coding } = value.settings;
  if (!whole(width, 1, 65535) || !whole(height, 1, 65535)) throw new Error('the GIF size is not whole numbers of 1 to 65535');
  if (typeof fps !== 'number' || !(fps > 0 && fps <= 1000)) throw new Error('the GIF frame rate is not a positive number');
  if (!record(coding) || !whole(coding.colors, 2, 256) || !whole(coding.bayerScale, 0, 5) || typeof coding.tolerance !== 'number' || !(coding.tolerance >= 0 && coding.tolerance <= 255)) {
    throw new Error('the GIF coding settings are not valid');
  }
  if (!['none', 'bayer', 'floyd_steinberg', 'sierra2_4a'].includes(coding.dither as string)) throw new Error('the GIF dither is not one of none, bayer, floyd_steinberg, sierra2_4a');
  if (value.note !== undefined && !isText(value.note)) throw new Error('the GIF note is not text');
  return value as unknown as ChosenGif;
}
