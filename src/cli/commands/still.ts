import type { Command } from 'commander';
import { encodePng } from '../../encode/png.js';
import { writeFileAtomic } from '../../encode/atomic-output.js';
import { greyGooWarning, noiseWarning } from '../../inspect/index.js';
import { renderStill, startStillPool, type Still } from '../../render/still.js';
import { addBackendFlag, parseNonNegative, parseSeed, parseSize, parseWholeNumber, parseWorkers } from '../options.js';
import { createFrameBackend, decideBackend, describeChoice, withRenderedBy, type BackendRequest, type ChosenBackend } from '../../render/backend-choice.js';
import { LIMITS, representativeTime } from '../../scene/index.js';
import { interruptible } from '../interrupts.js';
import { reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';
import { stemAvoidingSource } from '../from-source.js';
import { join } from 'node:path';

interface StillFlags {
  at?: number;
  size?: [number, number];
  seed?: number;
  antialias?: number;
  out?: string;
  from?: string;
  workers?: number;
  backend: BackendRequest;
  quiet?: boolean;
}

export function registerStill(program: Command): void {
  const command = program
    .command('still')
    .description('render one frame of a scene as a PNG (the scene is stored inside it)')
    .argument('[scene]', 'scene file (.yaml)')
    .option('--at <seconds>', 'time in the scene (default: the middle of the video when the scene moves, else 0)', parseNonNegative)
    .option('--size <WxH>', 'image size, e.g. 4096x4096', parseSize)
    .option('--seed <n>', 'network seed (keyframe seeds move by the same amount)', parseSeed)
    .option('--out <file.png>', 'output file (default: output/<name>.png)')
    .option('--from <file.png>', 're-render the scene stored in an earlier output')
    .option('--antialias <n>', 'samples per pixel side: n×n per pixel, averaged (1–8; output.antialias)', parseWholeNumber(1, LIMITS.antialias))
    .option('--workers <n>', 'worker threads for a large still (default: one per core; a small one renders sooner on one thread than threads take to start)', parseWorkers)
    .option('-q, --quiet', 'print nothing but errors');
  addBackendFlag(command).action(async (scenePath: string | undefined, flags: StillFlags) => {
      const report = reporter(flags.quiet);
      const loaded = await sceneFromArguments(scenePath, flags.from, { size: flags.size, seed: flags.seed, antialias: flags.antialias }, report);
      const at = flags.at ?? representativeTime(loaded.scene);
      // --from without --out never writes over its source.
      const out = flags.out ?? `${stemAvoidingSource(join('output', loaded.model.name), flags.from, (stem) => [`${stem}.png`], [loaded.model.width, loaded.model.height])}.png`;
      // The GPU is looked for, and the threads start, while this thread runs the checks below (see render).
      const decision = decideBackend(flags.backend);
      decision.catch(() => undefined);
      const pool = flags.backend === 'gpu' ? undefined : startStillPool(loaded, flags.workers);
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
          const picture = await renderStill(stamped, { at, workers: flags.workers, pool, backend: chosen?.backend, signal });
          if (signal.aborted) throw signal.reason;
          writeFileAtomic(out, encodePng(picture.data, picture.width, picture.height, JSON.stringify(stamped.scene)));
          return picture;
        }, { abandon: true });
      } finally {
        await pool?.destroy();
        await chosen?.backend.close();
      }
      report.info(`wrote ${out} (${still.width}x${still.height}, ${Math.round(performance.now() - started)} ms)`);
    });
}
