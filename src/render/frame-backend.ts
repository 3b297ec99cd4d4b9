/**
 * The contract between the frame scheduler and whatever renders the frames:
 * the local thread pool, or a queue of worker processes on other machines.
 * A render or a series talks to the scheduler and never knows which backend
 * runs it.
 */
import type { LoadedScene } from '../scene/index.js';
import type { FrameSelector } from './frame-renderer.js';

/** Frames [start, end) of a scene's timeline. */
export interface FrameRange {
  start: number;
  end: number;
}

export interface Still {
  width: number;
  height: number;
  /** RGBA, row by row from the top. */
  data: Uint8Array;
}

/** A unit of work once rendered: its frames, readable in order. */
export interface RenderedUnit {
  /** The unit's frames in order; each is valid until the next one is asked for. */
  frames(signal: AbortSignal): AsyncIterable<Uint8Array>;
  /** Gives back what the unit holds (a frame buffer, a chunk file). */
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

/** What computes the pixels, as outputs record it (scene key `rendered`). */
export interface RenderedBy {
  backend: 'cpu' | 'gpu';
  /** The GPU adapter, in the user's words. */
  adapter?: string;
}

export interface FrameBackend {
  /** In the user's words, for progress and logs, e.g. "2 threads". */
  readonly description: string;
  /** What computes the pixels, where one kind does (a cluster's workers may each differ). */
  readonly renderedBy?: RenderedBy;
  /** Items of a series worth rendering at once. */
  readonly itemConcurrency: number;
  /** How frames are grouped into units of work. Depends only on the frame count, so a restarted render plans the same units. */
  plan(frameCount: number): UnitPlan;
  /** Renders a unit; resolves once its frames can be read. */
  render(loaded: LoadedScene, range: FrameRange, context: UnitContext): Promise<RenderedUnit>;
  /** Workers busy now (threads, or worker processes). */
  activeWorkers(): number;
  /** One picture (a still, a thumbnail), as fast as the backend can. */
  picture(loaded: LoadedScene, selector: FrameSelector, signal?: AbortSignal): Promise<Still>;
  /** The whole video is written: what was kept for a restart (a cluster's chunks) can go. */
  complete?(loaded: LoadedScene): Promise<void>;
  /** Stops what the backend started (threads, connections). */
  close(): Promise<void>;
}
