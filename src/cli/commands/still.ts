import type { Command } from 'commander';
import { addBackendFlag, parseNonNegative, parseSeed, parseSize, parseWholeNumber, parseWorkers } from '../options.js';
import type { BackendRequest } from '../../render/backend-choice.js';
import { LIMITS, representativeTime } from '../../scene/index.js';
import { writeStillFile } from '../still-file.js';
import { reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';
import { stemAvoidingSource } from '../from-source.js';
import { refuseReplacingInputs } from '../inputs.js';
import { outputFile, parseOutPath } from '../output-paths.js';
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
    .option('--out <file.png>', 'output file, or a folder ending in / (default: output/<name>.png)', parseOutPath)
    .option('--from <file.png>', 're-render the scene stored in an earlier output')
    .option('--antialias <n>', 'samples per pixel side: n×n per pixel, averaged (1–8; output.antialias)', parseWholeNumber(1, LIMITS.antialias))
    .option('--workers <n>', 'worker threads for a large still (default: one per core; a small one renders sooner on one thread than threads take to start)', parseWorkers)
    .option('-q, --quiet', 'print nothing but errors');
  addBackendFlag(command).action(async (scenePath: string | undefined, flags: StillFlags) => {
      const report = reporter(flags.quiet);
      const loaded = await sceneFromArguments(scenePath, flags.from, { size: flags.size, seed: flags.seed, antialias: flags.antialias }, report);
      const at = flags.at ?? representativeTime(loaded.scene);
      // --from without --out never writes over its source.
      const out =
        flags.out === undefined
          ? `${stemAvoidingSource(join('output', loaded.model.name), flags.from, (stem) => [`${stem}.png`], [loaded.model.width, loaded.model.height])}.png`
          : outputFile(flags.out, `${loaded.model.name}.png`, '.png', '--out', 'a still');
      refuseReplacingInputs([out]);
      const { still, ms } = await writeStillFile(loaded, { at, out, workers: flags.workers, backend: flags.backend, report });
      report.info(`wrote ${out} (${still.width}x${still.height}, ${ms} ms)`);
    });
}
