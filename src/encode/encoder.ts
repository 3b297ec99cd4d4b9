/**
 * What the encoders share. A video is coded in pieces (consecutive frame
 * ranges, each started afresh: a keyframe, a GIF frame coded whole), which
 * can be coded at once on many threads or machines, then joined into each
 * output without coding again. The render loop hands each piece's frames, in
 * order, to a piece encoder of every format and never knows which formats exist.
 */
import type { Text } from '../errors.js';
import type { Mp4Options } from './formats/mp4.js';
import type { WebmOptions } from './formats/webm.js';
import type { WebpOptions } from './formats/webp.js';
import type { ChosenGif, GifOptions } from './gif/gif-job.js';

/** Frames [start, end) of a video. */
export interface FrameRange {
  start: number;
  end: number;
}

/**
 * Each format's settings, in the encoders' own terms (a size as [width,
 * height], a budget in bytes); each format's module declares its own. The
 * render maps a scene's output options to these (render/encode-job.ts), so
 * the encoders know nothing of the scene's schema.
 */
export interface EncodeOptions {
  mp4: Mp4Options;
  webm: WebmOptions;
  webp: WebpOptions;
  gif: GifOptions;
}

export interface EncodeJob {
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** Where the finished output goes (a file, or a folder for PNG frames). */
  path: string;
  /** The resolved scene, embedded in the output's metadata (none for pictures that are not one scene). */
  metadata?: string;
  options: EncodeOptions;
}

/**
 * What is decided once for a whole video, before any piece is coded, so that
 * every piece is coded alike: so far only a GIF's settings (a size budget is
 * met by settings measured on the first frames).
 */
export interface EncodingSettings {
  gif?: ChosenGif;
}

/** One piece: frames [range] of the video described by the rest, coded into a file (or folder) at `path`. */
export interface PieceJob extends EncodeJob {
  range: FrameRange;
  settings: EncodingSettings;
  /** What the piece belongs to, for messages: the output's path, or the scene's name on a cluster's worker. */
  label: string;
}

/** What a join needs to know of the whole video: its description, the settings every piece was coded with, and (in `path`) the final output. */
export interface JoinJob extends EncodeJob {
  settings: EncodingSettings;
  /** The frames of each piece, in order. */
  ranges: FrameRange[];
  /** Stops the join (a sibling output failed): whatever it runs, an ffmpeg included, is ended. */
  signal?: AbortSignal;
  /** A work file beside the output, removed with it however the run ends (an interrupt included). */
  scratch(suffix: string): string;
}

/** Codes one piece. Frames come in order, each with its place in the video. */
export interface PieceEncoder {
  /** Takes the next frame (RGBA, row by row); resolves when the encoder can take another (the buffer may then be reused). */
  writeFrame(rgba: Uint8Array, index: number): Promise<void>;
  /** Completes the piece file. */
  finish(): Promise<void>;
  /** Stops and removes the piece file. */
  abort(): Promise<void>;
}

/** A whole output written frame by frame (one piece, joined at the end): for pictures that are not a scene's video, such as animated contact sheets. */
export interface Encoder {
  readonly format: string;
  readonly path: string;
  /** Takes the next frame (RGBA, row by row); resolves when the encoder can take another. */
  writeFrame(rgba: Uint8Array): Promise<void>;
  /** Completes the output under its temporary name. */
  finish(): Promise<void>;
  /**
   * Moves the finished output into place. Separate from finish so a render
   * commits all its formats together, once every one of them has succeeded.
   */
  commit(): void;
  /** Stops and removes everything temporary; the final path is left as it was. */
  abort(): Promise<void>;
  /** What the encoder chose by itself, worth telling the user (e.g. the settings that fit a GIF size budget). */
  summary?(): Text | undefined;
}

/** ffmpeg input arguments for raw RGBA frames on stdin. */
export function rawInput(job: EncodeJob): string[] {
  return ['-f', 'rawvideo', '-pix_fmt', 'rgba', '-video_size', `${job.width}x${job.height}`, '-framerate', String(job.fps), '-i', 'pipe:0'];
}

/**
 * ffmpeg arguments that fix a video encoder's thread count. x264 and libvpx
 * choose their threads from the machine's cores by default, and the bytes they
 * write depend on it: the same scene gave a different MP4 on 1, 2, 3 or 4
 * threads. Four keeps the output the same on every machine without slowing
 * the encoder where cores are few; past four, rendering, not encoding, is what
 * limits a render.
 */
export function fixedThreads(): string[] {
  return ['-threads', '4'];
}
