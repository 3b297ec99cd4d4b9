/** The tasks of the GIF encoder's thread (gif-thread.ts) and its answers. */
import type { EncodeJob } from '../encoder.js';

export type GifTask =
  /** `fd`: the temporary file, opened by the encoder (threads share the process's descriptors); `budget`: output.gif.maxBytes in bytes. */
  | { type: 'start'; job: EncodeJob; fd: number; budget?: number }
  /** `sequence`: the order the frames were sent in (the thread codes them in that order); `index`: the frame's place in the video. */
  | { type: 'frame'; sequence: number; index: number; buffer: ArrayBuffer }
  | { type: 'end' };

export type GifTaskResult =
  /** `buffers`: the frames' memory, handed back for the next frames once coded. */
  | { type: 'ok'; buffers?: ArrayBuffer[] }
  | { type: 'done'; bytes: number; totalFrames: number; note?: string }
  /** `code`: the file-system error code, when it is one; `user`: the user's to fix (a budget that cannot fit). */
  | { type: 'failed'; message: string; code?: string; user: boolean };
