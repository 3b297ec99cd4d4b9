import type { Command } from 'commander';
import { addOptions } from '../options.js';
import type { BackendRequest } from '../../render/backend-choice.js';
import { representativeTime } from '../../scene/index.js';
import { writeStillFile } from '../still-file.js';
import { reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';
import { stemAvoidingSource } from '../from-source.js';
import { refuseReplacingInputs } from '../inputs.js';
import { outputFile } from '../output-paths.js';
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
    .argument('[scene]', 'scene file (.yaml)');
  addOptions(command, ['at', 'size', 'seed', 'out', 'from', 'antialias', 'workers', 'quiet', 'backend']).action(async (scenePath: string | undefined, flags: StillFlags) => {
      const report = reporter(flags.quiet);
      const loaded = await sceneFromArguments(scenePath, flags.from, { size: flags.size, seed: flags.seed, antialias: flags.antialias }, report);
      const at = flags.at ?? representativeTime(loaded.scene);
      // --from without --out never writes over its source.
      const out =
        flags.out === undefined
          ? `${stemAvoidingSource(join('output', loaded.model.name), flags.from, (stem) => [`${stem}.png`], [loaded.model.width, loaded.model.height])}.png`
          : outputFile(flags.out, `${loaded.model.name}.png`, '.png', 'out', 'a still');
      refuseReplacingInputs([out]);
      const { still, ms } = await writeStillFile(loaded, { at, out, workers: flags.workers, backend: flags.backend, report });
      report.info(`wrote ${out} (${still.width}x${still.height}, ${ms} ms)`);
    });
}
