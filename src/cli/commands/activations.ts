import type { Command } from 'commander';
import type { ActivationName } from '../../core/index.js';
import { writeFileAtomic } from '../../files/index.js';
import { renderActivationSheet } from '../../inspect/index.js';
import { addOptions } from '../options.js';
import { outputFile } from '../output-paths.js';
import { reporter } from '../report.js';

interface ActivationsFlags {
  out?: string;
  only?: ActivationName[];
  quiet?: boolean;
}

export function registerActivations(program: Command): void {
  const command = program
    .command('activations')
    .description('draw the activations: f(x) and f′(x) on [−5, 5], and the histogram, mean and std of f(z) for z ~ N(0, 1)');
  addOptions(command, ['out', 'only', 'quiet']).action(async (flags: ActivationsFlags) => {
      const report = reporter(flags.quiet);
      const out = outputFile(flags.out, 'activations.png', '.png', 'out', 'the sheet');
      const sheet = await renderActivationSheet({ only: flags.only });
      writeFileAtomic(out, sheet.png);
      const panels = flags.only?.length ?? 'all';
      report.info(`wrote ${out} (${sheet.width}x${sheet.height}, ${panels === 'all' ? 'every activation' : `${panels} panel${panels === 1 ? '' : 's'}`})`);
    });
}
