import type { Command } from 'commander';
import { writeFileAtomic } from '../../files/index.js';
import { UserError } from '../../errors.js';
import { compareScenes } from '../../inspect/index.js';
import { applyOverrides, loadScene, type LoadedScene } from '../../scene/index.js';
import { parseNonNegative, parseSeed, parseSize, parseWholeNumber, parseWorkers } from '../options.js';
import { interruptible } from '../interrupts.js';
import { protectSceneInputs, refuseReplacingInputs } from '../inputs.js';
import { outputFile, parseOutPath } from '../output-paths.js';
import { reporter } from '../report.js';

interface CompareFlags {
  at: number;
  size?: [number, number];
  columns?: number;
  label?: string[];
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
  program
    .command('compare')
    .description('render several scenes side by side with labels (e.g. 0 / 1 / 8 / 16 layers, or 8x16 against 8x32)')
    .argument('<scenes...>', 'scene files (.yaml), two or more')
    .option('--at <seconds>', 'time in each scene', parseNonNegative, 0)
    .option('--size <WxH>', 'size of each still (default: 256 px on the longer side)', parseSize)
    .option('--columns <n>', 'stills per row (default: up to 4)', parseWholeNumber(1, 64))
    .option('--label <text>', 'label of the next scene, in order (repeat it; default: the scene name)', (text: string, all: string[] | undefined) => [...(all ?? []), text])
    .option('--seed <n>', 'the same network seed for every scene', parseSeed)
    .option('--out <file.png>', 'output file, or a folder ending in / (default: output/compare.png)', parseOutPath)
    .option('--workers <n>', 'worker threads (default: one per core)', parseWorkers)
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (scenePaths: string[], flags: CompareFlags) => {
      const report = reporter(flags.quiet);
      if (scenePaths.length < 2) throw new UserError('compare needs two or more scene files', 'e.g. cppn-motion compare scenes/grey-goo.yaml scenes/normal-1.yaml');
      const labels = flags.label ?? [];
      if (labels.length > scenePaths.length) throw new UserError(`${labels.length} labels for ${scenePaths.length} scenes; give at most one --label per scene`);
      const out = outputFile(flags.out, 'compare.png', '.png', '--out', 'the comparison');
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
