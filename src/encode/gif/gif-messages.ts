/** The tasks of the GIF encoder's threads (gif-thread.ts) and their answers. */
import type { FrameRange } from '../encoder.js';
import type { ChosenGif, GifSettings, GifVideo } from './gif-job.js';

export type GifTask =
  /** A piece of a GIF, written to `fd` (the piece file, opened by the encoder: threads share the process's descriptors). */
  | { type: 'start'; video: GifVideo; settings: GifSettings; range: FrameRange; fd: number }
  /** `sequence`: the order the frames were sent in (the thread codes them in that order); `index`: the frame's place in the video. */
  | { type: 'frame'; sequence: number; index: number; buffer: ArrayBuffer }
  | { type: 'end' }
  /** The GIF's settings, from its first frames under a size budget (`budget`: output.gif.maxBytes in bytes). */
  | { type: 'choose'; video: GifVideo; budget?: number; pieces: number; frames: ArrayBuffer[] };

export type GifTaskResult =
  /** `buffers`: the frames' memory, handed back for the next frames once coded. */
  | { type: 'ok'; buffers?: ArrayBuffer[] }
  | { type: 'done'; bytes: number; frames: number }
  | { type: 'chosen'; chosen: ChosenGif }
  /** `code`: the file-system error code, when it is one; `user`: the user's to fix (a budget that cannot fit). */
  | { type: 'failed'; message: string; code?: string; user: boolean };
