/**
 * The contracts between a render and whatever does its work.
 *
 * A video is rendered and coded in pieces (consecutive frame ranges, see
 * piece-plan.ts): a FrameBackend renders a piece's frames and codes them
 * into a piece of every format — on this machine's threads, or on a
 * cluster's worker processes — and the render joins the pieces into the
 * outputs. A render or a series talks to its backend and never knows which
 * one it is; both code the same pieces, so their outputs are the same bytes.
 *
 * A FrameSource renders frames only: the frame scheduler turns it into
 * frames delivered in order, which a backend on this machine feeds to its
 * piece encoders.
 */
import type { EncodingSettings, FrameRange } from '../encode/encoder.js';
import type { Format, LoadedScene } from '../scene/index.js';
import type { FrameSelector } from './frame-renderer.js';
import type { Text } from '../errors.js';
import type { PixelBackend } from './pixel-backend.js';

// Frames [start, end) of a scene's timeline: declared by the encoders (a piece is a range), offered here to the backends.
export type { FrameRange };

export interface Still {
  width: number;
  height: number;
  /** RGBA, row by row from the top. */
  data: Uint8Array;
}

/** A unit of frames once rendered: its frames, readable in order. */
export interface RenderedUnit {
  /** The unit's frames in order; each is valid until the next one is asked for. */
  frames(signal: AbortSignal): AsyncIterable<Uint8Array>;
  /** Gives back what the unit holds (a frame buffer). */
  release(): Promise<void>;
  /** Milliseconds of rendering the unit cost, summed over threads. */
  renderMs: number;
}

export interface UnitPlan {
  /** Frames per unit of work (the last unit may hold fewer). */
  unitFrames: number;
  /** Units in flight at once: rendered or rendering but not yet read. */
  window: number;
}

export interface UnitContext {
  signal: AbortSignal;
  /** Called as frames of the unit finish rendering (for progress). */
  onFrames(count: number): void;
}

/** Renders frames (no coding): what the frame scheduler draws on. */
export interface FrameSource {
  /** How frames are grouped into units of work. */
  plan(frameCount: number): UnitPlan;
  /** Renders a unit; resolves once its frames can be read. */
  render(loaded: LoadedScene, range: FrameRange, context: UnitContext): Promise<RenderedUnit>;
  /** Threads busy now. */
  activeWorkers(): number;
}

/** What computes the pixels, as outputs record it (scene key `rendered`). */
export interface RenderedBy {
  backend: PixelBackend;
  /** The GPU adapter, in the user's words (left out where several GPUs may share a video: a cluster's). */
  adapter?: string;
}

/**
 * What computes pixels on this machine — the CPU threads or a GPU — with
 * everything a backend on this machine needs of it: frames in order for the
 * pieces, and single pictures.
 */
export interface PixelSource extends FrameSource {
  /** In the user's words, e.g. "2 threads". */
  readonly description: string;
  readonly renderedBy: RenderedBy;
  /** One picture (a still, a thumbnail), as fast as the source can. */
  picture(loaded: LoadedScene, selector: FrameSelector, signal?: AbortSignal): Promise<Still>;
  /** Stops what the source started (threads, a device). */
  close(): Promise<void>;
}

/** One piece to render and code into every format. */
export interface PieceRequest {
  loaded: LoadedScene;
  range: FrameRange;
  formats: Format[];
  /** Decided once for the whole video (see FrameBackend.encodingSettings). */
  settings: EncodingSettings;
  /** Where a backend on this machine writes each format's piece (a cluster's workers write into its chunk store instead). */
  piecePath(format: Format): string;
  /** What the pieces belong to, for messages (the output's path). */
  label: string;
}

/** A piece coded into every format. */
export interface EncodedPiece {
  /** Each format's piece (a file, or a folder for PNG frames), readable on this machine until released. */
  files: Partial<Record<Format, string>>;
  /** Milliseconds of rendering the piece cost, summed over threads (0 where not known, on a cluster). */
  renderMs: number;
  /** Gives back what the piece holds, once joined. */
  release(): Promise<void>;
}

export interface PieceContext {
  signal: AbortSignal;
  /** Called as frames of the piece finish rendering (for progress). */
  onFrames(count: number): void;
}

/** A whole video rendered and coded elsewhere (a series item on a cluster's worker). */
export interface WholeVideoRequest {
  /** Output folder and name without extension. */
  outStem: string;
  formats: Format[];
  /** Also a thumbnail: the scene at this size and time, as a still. */
  thumbnail?: { size: [number, number]; at: number };
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface WholeVideoResult {
  outputs: Array<{ format: Format; path: string; note?: Text }>;
  thumbnail?: Still;
  wallMs: number;
}

export interface FrameBackend {
  /** In the user's words, for progress and logs, e.g. "2 threads". */
  readonly description: string;
  /** What computes the pixels, where one kind does (a cluster's workers report their own). */
  readonly renderedBy?: RenderedBy;
  /** Items of a series worth rendering at once. */
  readonly itemConcurrency: number;
  /** Pieces of one video in flight at once (memory, or a cluster's queue, stays bounded however long the video). */
  readonly pieceWindow: number;
  /**
   * What the formats decide once for the whole video before any piece is
   * coded (a GIF's settings under a size budget, measured on its first
   * frames). `pieces`: how many pieces the video is coded in.
   */
  encodingSettings(loaded: LoadedScene, formats: Format[], pieces: number, signal?: AbortSignal): Promise<EncodingSettings>;
  /** Renders a piece and codes it into every format; resolves once the pieces can be read. */
  encodePiece(request: PieceRequest, context: PieceContext): Promise<EncodedPiece>;
  /**
   * Renders and codes a whole video elsewhere and puts its outputs in place
   * (atomically, all formats together). Only a backend that sends whole
   * videos away (a cluster) has it: a series then sends each item there whole.
   */
  renderWhole?(loaded: LoadedScene, request: WholeVideoRequest): Promise<WholeVideoResult>;
  /** Workers busy now (threads, or worker processes). */
  activeWorkers(): number;
  /** One picture (a still, a thumbnail), as fast as the backend can. */
  picture(loaded: LoadedScene, selector: FrameSelector, signal?: AbortSignal): Promise<Still>;
  /** The whole video is written: what was kept for a restart (a cluster's pieces) can go. */
  complete?(loaded: LoadedScene, formats: Format[]): Promise<void>;
  /** Stops what the backend started (threads, connections). */
  close(): Promise<void>;
}
