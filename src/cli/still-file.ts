/**
 * One frame of a scene rendered and written as a PNG that carries the scene:
 * what `still` does, and what `render` does for a scene marked
 * `output.kind: still`.
 */
import { encodePng } from '../encode/png.js';
import { writeFileAtomic } from '../encode/atomic-output.js';
import { greyGooWarning, noiseWarning } from '../inspect/index.js';
import { renderStill, startStillPool, type Still } from '../render/still.js';
import type { LoadedScene } from '../scene/index.js';
import { interruptible } from './interrupts.js';
import type { Reporter } from './report.js';

export interface StillFileOptions {
  /** Seconds into the scene. */
  at: number;
  out: string;
  workers?: number;
  report: Reporter;
}

/** Renders the still and writes it atomically; returns the picture and the milliseconds the rendering took. */
export async function writeStillFile(loaded: LoadedScene, { at, out, workers, report }: StillFileOptions): Promise<{ still: Still; ms: number }> {
  // The threads start while this thread runs the checks below (see render).
  const pool = startStillPool(loaded, workers);
  let started = 0;
  let still: Still;
  try {
    const goo = greyGooWarning(loaded, { at });
    if (goo) report.warn(goo);
    const grain = noiseWarning(loaded, { at });
    if (grain) report.warn(grain);
    started = performance.now();
    still = await interruptible(async (signal) => {
      // Said once a signal would stop it cleanly.
      report.info(`rendering ${loaded.model.name}: ${loaded.model.width}x${loaded.model.height} at ${at} s…`);
      const picture = await renderStill(loaded, { at, workers, pool });
      if (signal.aborted) throw signal.reason;
      writeFileAtomic(out, encodePng(picture.data, picture.width, picture.height, JSON.stringify(loaded.scene)));
      return picture;
    }, { abandon: true });
  } finally {
    await pool?.destroy();
  }
  return { still, ms: Math.round(performance.now() - started) };
}
