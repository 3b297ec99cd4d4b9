/**
 * One frame of a scene rendered and written as a PNG that carries the scene:
 * what `still` does, and what `render` does for a scene marked
 * `output.kind: still`.
 */
import { encodePng } from '../encode/png.js';
import { writeFileAtomic } from '../files/index.js';
import { greyGooWarning, noiseWarning } from '../inspect/index.js';
import { createFrameBackend, decideBackend, describeChoice, withRenderedBy, type BackendRequest, type ChosenBackend } from '../render/backend-choice.js';
import { renderStill, startStillPool, type Still } from '../render/still.js';
import type { LoadedScene } from '../scene/index.js';
import { interruptible } from './interrupts.js';
import type { Reporter } from './report.js';

export interface StillFileOptions {
  /** Seconds into the scene. */
  at: number;
  out: string;
  workers?: number;
  /** Where the pixels are computed (default: auto). */
  backend?: BackendRequest;
  report: Reporter;
}

/** Renders the still and writes it atomically; returns the picture and the milliseconds the rendering took. */
export async function writeStillFile(loaded: LoadedScene, { at, out, workers, backend = 'auto', report }: StillFileOptions): Promise<{ still: Still; ms: number }> {
  // The GPU is looked for, and the threads start, while this thread runs the checks below (see render).
  const decision = decideBackend(backend);
  decision.catch(() => undefined);
  const pool = backend === 'gpu' ? undefined : startStillPool(loaded, workers);
  let chosen: ChosenBackend | undefined;
  let started = 0;
  let still: Still;
  try {
    const goo = greyGooWarning(loaded, { at });
    if (goo) report.warn(goo);
    const grain = noiseWarning(loaded, { at });
    if (grain) report.warn(grain);
    const decided = await decision;
    // On the CPU a still keeps its own choice of threads (none for a small one).
    if (decided.kind === 'gpu') chosen = await createFrameBackend(decided);
    const where = chosen ? ` ${describeChoice(chosen)}` : ' on the CPU';
    const stamped = withRenderedBy(loaded, chosen ? chosen.backend.renderedBy : { backend: 'cpu' });
    started = performance.now();
    still = await interruptible(async (signal) => {
      // Said once a signal would stop it cleanly.
      report.info(`rendering ${loaded.model.name}: ${loaded.model.width}x${loaded.model.height} at ${at} s${where}…`);
      const picture = await renderStill(stamped, { at, workers, pool, backend: chosen?.backend, signal });
      if (signal.aborted) throw signal.reason;
      writeFileAtomic(out, encodePng(picture.data, picture.width, picture.height, JSON.stringify(stamped.scene)));
      return picture;
    }, { abandon: true });
  } finally {
    await pool?.destroy();
    await chosen?.backend.close();
  }
  return { still, ms: Math.round(performance.now() - started) };
}
