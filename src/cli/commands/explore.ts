import { basename, extname, join, relative } from 'node:path';
import type { Command } from 'commander';
import { exploreToFolder } from '../../explore/index.js';
import { MUTATIONS } from '../../scene/explore/index.js';
import { flagWord } from '../../scene/options/index.js';
import { interruptible } from '../interrupts.js';
import { addOptions } from '../options.js';
import { reporter } from '../report.js';

interface ExploreFlags {
  count: number;
  strength: number;
  variationSeed?: number;
  at?: number;
  out?: string;
  quiet?: boolean;
}

/** A seed for the variations when none is given: printed, so the run can be repeated. */
function freshSeed(): number {
  return 1 + Math.floor(Math.random() * 999_999);
}

export function registerExplore(program: Command): void {
  const command = program
    .command('explore')
    .description('write variations of a scene (new seeds, a nudge through weight space, other activations, layers, zoom, palette, inputs) as scene files, with a contact sheet')
    .argument('<scene>', 'scene file (.yaml)');
  addOptions(command, ['count', 'strength', 'variationSeed', 'at', 'out', 'quiet'])
    .addHelpText('after', `\nMutations:\n${MUTATIONS.map((m) => `  ${m.name.padEnd(12)}${m.changes}; ${m.strength}`).join('\n')}`)
    .action(async (scenePath: string, flags: ExploreFlags) => {
      const report = reporter(flags.quiet);
      const seed = flags.variationSeed ?? freshSeed();
      const out = flags.out ?? join('output', `${basename(scenePath, extname(scenePath))}-explore`);
      const result = await interruptible(async (signal) => {
        report.info(`exploring ${scenePath}: ${flags.count} variations, strength ${flags.strength}, seed ${seed}…`);
        return exploreToFolder(scenePath, { count: flags.count, strength: flags.strength, seed, at: flags.at, out, signal });
      });
      const shown = (path: string): string => relative(process.cwd(), path) || path;
      for (const v of result.variations) report.info(`wrote ${shown(v.file)}  (${v.label})`);
      if (result.variations.length < flags.count) report.warn(`only ${result.variations.length} different variations of this scene could be made`);
      report.info(`wrote ${shown(result.sheet)} (every variation at ${result.at} s)`);
      if (flags.variationSeed === undefined) report.info(`the same variations again: ${flagWord('variationSeed')} ${seed}`);
    });
}
