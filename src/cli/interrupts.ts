/**
 * Ctrl-C, SIGTERM and SIGHUP (the terminal closed): the work is aborted
 * (workers and ffmpeg stopped, temporary files removed) and the command ends
 * with exit code 130. "stopping…" is said at once, since stopping a render
 * can take a moment; a second signal stops at once.
 */
import { removePendingOutputs } from '../files/index.js';
import { killAllFfmpeg } from '../encode/ffmpeg.js';
import { InterruptedError } from '../errors.js';
import { cleanUpOnSignal, takeSignals } from './signals.js';

// A signal between two pieces of work (or before the first) stops the command at once: nothing may be left behind then either.
cleanUpOnSignal(() => {
  killAllFfmpeg();
  removePendingOutputs();
});

export interface InterruptOptions {
  /**
   * Stop waiting for the work as soon as a signal comes, for work that writes
   * nothing until its very end and has no ffmpeg to stop (a still, a
   * comparison sheet): its workers end with the process.
   */
  abandon?: boolean;
  /**
   * Stop as on SIGHUP when the process that started this one ends. `npx
   * cppn-motion preview` runs under npm and a shell: a signal sent to npm
   * alone (a task runner stopping it by its pid) ends npm and the shell but
   * not this process, which would otherwise go on serving with no one left
   * to stop it. Node cannot ask the kernel for a signal when the parent
   * dies, so the parent's pid is polled.
   */
  exitWithParent?: boolean;
}

/** How often a command that follows its parent looks whether the parent is still there. */
const PARENT_POLL_MS = 500;

export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>, options: InterruptOptions = {}): Promise<T> {
  const controller = new AbortController();
  // After SIGHUP the terminal is gone: writing to it fails, and that must not crash the clean-up.
  const ignoreWriteErrors = (): void => undefined;
  process.stderr.on('error', ignoreWriteErrors);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      // A second signal: stop at once, still without leaving temporary files or ffmpeg behind.
      killAllFfmpeg();
      removePendingOutputs();
      process.exit(130);
    }
    if (signal !== 'SIGHUP') process.stderr.write(`\nstopping… (${signal === 'SIGINT' ? 'Ctrl-C again' : 'the signal again'} stops at once)\n`);
    controller.abort(new InterruptedError(signal));
  };
  const release = takeSignals(onSignal);
  // Orphaned, this process is adopted by init (or a subreaper): its parent's pid changes.
  const parent = process.ppid;
  const watch =
    options.exitWithParent && parent > 1
      ? setInterval(() => {
          if (process.ppid === parent) return;
          clearInterval(watch);
          onSignal('SIGHUP');
        }, PARENT_POLL_MS).unref()
      : undefined;
  try {
    const running = work(controller.signal);
    if (!options.abandon) return await running;
    running.catch(() => undefined);
    return await new Promise<T>((resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      running.then(resolve, reject);
    });
  } finally {
    clearInterval(watch);
    release();
    process.stderr.off('error', ignoreWriteErrors);
    removePendingOutputs();
  }
}
