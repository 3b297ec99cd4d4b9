/**
 * The GIF encoder's thread: codes one piece of a GIF, task by task (start,
 * each frame, end), writing to the file descriptor the encoder opened, or
 * chooses a GIF's settings from its first frames. The pool
 * does not promise to hand over tasks in the order they were sent, so a
 * frame that comes early waits (the encoder keeps only a few in flight) and
 * the frames are coded in the video's order. Failures come back as answers,
 * with the error's code, rather than as exceptions that would lose it.
 */
import { writeSync } from 'node:fs';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { UserError } from '../../errors.js';
import { chooseGif, GifPiece } from './gif-job.js';
import type { GifTask, GifTaskResult } from './gif-messages.js';

let gif: GifPiece | undefined;
let nextFrame = 0;
/** Frames that arrived before their turn, by sequence number. */
const early = new Map<number, { index: number; rgba: Uint8Array }>();

/** Codes the frames that have arrived, in order, up to the first still missing; returns their memory. */
function codeWaitingFrames(piece: GifPiece): ArrayBuffer[] {
  const done: ArrayBuffer[] = [];
  for (let frame = early.get(nextFrame); frame; frame = early.get(nextFrame)) {
    early.delete(nextFrame++);
    piece.add(frame.rgba, frame.index);
    done.push(frame.rgba.buffer as ArrayBuffer);
  }
  return done;
}

/**
 * Hands the coded frames' buffers back with the answer (moved, not copied):
 * the encoder fills them with later frames, so no frame-sized memory is
 * allocated per frame, and none waits here for the garbage collector.
 */
function withBuffers(buffers: ArrayBuffer[]): GifTaskResult {
  const answer: GifTaskResult = { type: 'ok', buffers };
  return move({ [transferableSymbol]: buffers, [valueSymbol]: answer } as never) as unknown as GifTaskResult;
}

export default function runGifTask(task: GifTask): GifTaskResult {
  try {
    switch (task.type) {
      case 'start': {
        // The thread may have coded an earlier GIF (gif-threads.ts): its frames start again from 0.
        nextFrame = 0;
        early.clear();
        const fd = task.fd;
        gif = new GifPiece(task.video, task.settings, task.range, (data) => {
          for (let at = 0; at < data.length; ) at += writeSync(fd, data, at);
        });
        return withBuffers(codeWaitingFrames(gif));
      }
      case 'frame':
        early.set(task.sequence, { index: task.index, rgba: new Uint8Array(task.buffer) });
        return gif ? withBuffers(codeWaitingFrames(gif)) : { type: 'ok' };
      case 'end': {
        if (!gif || early.size > 0) throw new Error(`the GIF is missing frame ${nextFrame}`);
        const piece = gif;
        gif = undefined;
        return { type: 'done', bytes: piece.bytes, frames: piece.framesWritten };
      }
      case 'choose':
        return { type: 'chosen', chosen: chooseGif(task.video, task.budget, task.frames.map((b) => new Uint8Array(b)), task.pieces) };
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { type: 'failed', message: e.message ?? String(error), code: e.code, user: error instanceof UserError };
  }
}
