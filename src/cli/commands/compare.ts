import type { Command } from 'commander';
import { writeFileAtomic } from '../../files/index.js';
import { option, UserError, words } from '../../errors.js';
import { compareScenes } from '../../inspect/index.js';
import { applyOverrides, loadScene, type LoadedScene } from '../../scene/index.js';
import { addOptions } from '../options.js';
import { interruptible } from '../interrupts.js';
import { protectSceneInputs, refuseReplacingInputs } from '../inputs.js';
import { outputFile } from '../output-paths.js';
import { reporter } from '../report.js';

interface CompareFlags {
  at: number;
  size?: [number, number];
  columns?: number;
  labels?: string[];
  seed?: number;
  out?: string;
  workers?: number;
  quiet?: boolean;
}

/** Without --size, each still keeps its scene's shape with the longer side at this many pixels. */
const DEFAULT_SIDE = 256;

function defaultSize(loaded: LoadedScene): [number, number] {
  const { width, height } = loaded.model;
  const scale = DEFAULT_SIDE / Math.max(width, height);
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

export function registerCompare(program: Command): void {
  const command = program
    .command('compare')
    .description('render several scenes side by side with labels (e.g. 0 / 1 / 8 / 16 layers, or 8x16 against 8x32)')
    .argument('<scenes...>', 'scene files (.yaml), two or more');
  addOptions(command, ['at', 'size', 'columns', 'labels', 'seed', 'out', 'workers', 'quiet']).action(async (scenePaths: string[], flags: CompareFlags) => {
      const report = reporter(flags.quiet);
      if (scenePaths.length < 2) throw new UserError('compare needs two or more scene files', 'e.g. cppn-motion compare scenes/grey-goo.yaml scenes/normal-1.yaml');
      const labels = flags.labels ?? [];
      if (labels.length > scenePaths.length) throw new UserError(words`${labels.length} labels for ${scenePaths.length} scenes; give at most one ${option('labels')} per scene`);
      const out = outputFile(flags.out, 'compare.png', '.png', 'out', 'the comparison');
      const entries = scenePaths.map((path, i) => {
        const loaded = loadScene(path);
        protectSceneInputs(loaded, { scene: path });
        for (const warning of loaded.warnings) report.warn(warning);
        return { scene: applyOverrides(loaded, { size: flags.size ?? defaultSize(loaded), seed: flags.seed }), label: labels[i] };
      });
      refuseReplacingInputs([out]);
      const started = performance.now();
      const comparison = await interruptible(async (signal) => {
        // Said once a signal would stop it cleanly.
        report.info(`rendering ${entries.length} scenes at ${flags.at} s…`);
        const sheet = await compareScenes(entries, { at: flags.at, columns: flags.columns, workers: flags.workers });
        if (signal.aborted) throw signal.reason;
        writeFileAtomic(out, sheet.png);
        return sheet;
      }, { abandon: true });
      report.info(`wrote ${out} (${comparison.width}x${comparison.height}, ${entries.length} scenes, ${Math.round(performance.now() - started)} ms)`);
    });
}
