/**
 * Ctrl-C and SIGTERM: the work is aborted (workers and ffmpeg stopped,
 * temporary files removed) and the command ends with exit code 130.
 */
import { removePendingOutputs } from '../encode/atomic-output.js';
import { killAllFfmpeg } from '../encode/ffmpeg.js';
import { InterruptedError } from '../errors.js';

export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      // A second Ctrl-C: stop at once, still without leaving temporary files or ffmpeg behind.
      killAllFfmpeg();
      removePendingOutputs();
      process.exit(130);
    }
    controller.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    removePendingOutputs();
  }
}
