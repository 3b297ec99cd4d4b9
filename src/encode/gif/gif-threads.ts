/**
 * The GIF encoder's threads, kept for the next GIF. A thread's coder runs
 * slowly at first, while V8 compiles it: on a fresh thread that is most of
 * the work of a small GIF in a batch series.
 * A GIF that ends cleanly hands its thread back; the next GIF in this process
 * takes it, already compiled. An idle thread does not keep the process
 * alive (piscina unrefs it) and ends after IDLE_MS or beyond MAX_IDLE.
 */
import { Piscina } from 'piscina';
import { threadModule } from '../../threads.js';
import type { GifTask, GifTaskResult } from './gif-messages.js';

export type GifThread = Piscina<GifTask, GifTaskResult>;

/** An idle thread ends after this long without a GIF. */
const IDLE_MS = 30_000;
/**
 * Idle threads kept at most. A process codes only a few GIFs at once (a
 * local batch's items in flight, see itemConcurrency in local-backend.ts, or
 * a cluster worker's jobs in hand; a coordinator codes none), so this only
 * caps an unusually high worker --concurrency. A thread is kept only when its
 * GIF ends, so kept threads never outnumber those that were busy at one time,
 * and keeping them does not raise the peak memory.
 */
const MAX_IDLE = 8;

const idle: Array<{ thread: GifThread; timer: NodeJS.Timeout }> = [];

function startThread(): GifThread {
  const { filename, execArgv } = threadModule('encode/gif/gif-thread');
  const thread: GifThread = new Piscina({
    filename,
    execArgv,
    minThreads: 1,
    maxThreads: 1,
    // The coder's short-lived garbage is small: a small young generation keeps the thread's memory down.
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  // An answer arriving for a task that a stopping render has given up on is
  // harmless; without a listener piscina's 'error' event would end the process.
  thread.on('error', () => undefined);
  return thread;
}

/** A thread for a new GIF: one a finished GIF left, or a new one. */
export function takeGifThread(): GifThread {
  const kept = idle.pop();
  if (!kept) return startThread();
  clearTimeout(kept.timer);
  return kept.thread;
}

/** Hands back the thread of a GIF that ended cleanly (its 'end' answered), for the next GIF. */
export function keepGifThread(thread: GifThread): void {
  if (idle.length >= MAX_IDLE) {
    endQuietly(thread);
    return;
  }
  const entry = { thread, timer: setTimeout(() => dropIdle(entry), IDLE_MS).unref() };
  idle.push(entry);
}

function dropIdle(entry: (typeof idle)[number]): void {
  const at = idle.indexOf(entry);
  if (at >= 0) idle.splice(at, 1);
  endQuietly(entry.thread);
}

/** Ends an idle thread that nothing waits for: a failure to end it has no one to tell. */
function endQuietly(thread: GifThread): void {
  endGifThread(thread).catch(() => undefined);
}

/** Ends a thread (a GIF that failed or stopped: its state is not worth keeping). */
export async function endGifThread(thread: GifThread): Promise<void> {
  await thread.destroy();
}
