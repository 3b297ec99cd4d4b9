/**
 * Ctrl-C, SIGTERM and SIGHUP are caught first thing, before the rest of the
 * command line loads: a signal that comes while a command is still starting
 * (loading its modules, reading the scene) ends it the way one that comes
 * mid-render does, with one line and exit code 130, not Node's silent 143 or
 * 129. Work in progress takes the signals over (`takeSignals`, used by
 * interrupts.ts and the worker) and stops cleanly; with none in progress,
 * the command stops at once. Nothing heavy is imported here, so catching
 * starts as early as it can.
 */
export const INTERRUPT_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

type SignalHandler = (signal: NodeJS.Signals) => void;

let handler: SignalHandler | undefined;
const cleanups: Array<() => void> = [];
let installed = false;

function stopNow(signal: NodeJS.Signals): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Stopping anyway: the next run sweeps what is left (see files/atomic-output.ts).
    }
  }
  // After SIGHUP the terminal may be gone: the line is said if it can be.
  process.stderr.on('error', () => undefined);
  try {
    process.stderr.write(`stopped: interrupted by ${signal}; no partial output was kept\n`);
  } catch {
    // Nowhere to say it.
  }
  process.exit(130);
}

function dispatch(signal: NodeJS.Signals): void {
  if (handler) handler(signal);
  else stopNow(signal);
}

/** Catches the signals; the entry point calls it before anything else. */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of INTERRUPT_SIGNALS) process.on(signal, dispatch);
}

/** Routes the signals to `next` until the returned function is called (then to whoever had them before). */
export function takeSignals(next: SignalHandler): () => void {
  installSignalHandlers();
  const previous = handler;
  handler = next;
  return () => {
    handler = previous;
  };
}

/** Something to undo when a signal stops the command with no work in progress to do it (temporary outputs, ffmpeg children). */
export function cleanUpOnSignal(cleanup: () => void): void {
  cleanups.push(cleanup);
}
