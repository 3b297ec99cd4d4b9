/**
 * The contract every output format implements: the render loop hands each
 * frame, in order, to every encoder and never knows which formats exist.
 */
import type { SceneFile } from '../scene/index.js';

export interface EncodeJob {
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** Where the finished output goes (a file, or a folder for PNG frames). */
  path: string;
  /** The resolved scene, embedded in the output's metadata (none for pictures that are not one scene). */
  metadata?: string;
  output: SceneFile['output'];
}

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
  summary?(): string | undefined;
}

/** ffmpeg input arguments for raw RGBA frames on stdin. */
export function rawInput(job: EncodeJob): string[] {
  return ['-f', 'rawvideo', '-pix_fmt', 'rgba', '-video_size', `${job.width}x${job.height}`, '-framerate', String(job.fps), '-i', 'pipe:0'];
}

/**
 * ffmpeg arguments that fix a video encoder's thread count. x264 and libvpx
 * choose their threads from the machine's cores by default, and the bytes they
 * write depend on it: the same scene gave a different MP4 on 1, 2, 3 or 4
 * threads. Four keeps the output the same on every machine, and is as fast as
 * x264's own choice on two cores; past four, rendering, not encoding, is what
 * limits a render.
 */
export function fixedThreads(): string[] {
  return ['-threads', '4'];
}
