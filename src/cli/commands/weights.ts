import type { Command } from 'commander';
import { writeFileAtomic } from '../../files/index.js';
import { FrameBuilder, weightsToJson } from '../../scene/index.js';
import { refuseReplacingInputs } from '../inputs.js';
import { addOptions } from '../options.js';
import { flagWord } from '../../scene/options/index.js';
import { outputFile } from '../output-paths.js';
import { printData, reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';

export function registerWeights(program: Command): void {
  const weights = program.command('weights').description('network weights as JSON (PyTorch nn.Linear layout: rows = outputs, columns = inputs)');
  const exportCommand = weights
    .command('export')
    .description(`print the scene's network weights as JSON, or write them with ${flagWord('out')}; use them with \`weights: w.json\` in a scene`)
    .argument('<scene>', 'scene file (.yaml)');
  addOptions(exportCommand, ['seed', 'out']).action(async (scenePath: string, flags: { seed?: number; out?: string }) => {
      const report = reporter();
      const loaded = await sceneFromArguments(scenePath, undefined, { seed: flags.seed }, report);
      // Written atomically, and never over the scene or a weights file it reads (`> w.json` in a shell empties w.json before anything runs).
      const out = flags.out === undefined ? undefined : outputFile(flags.out, `${loaded.model.name}.json`, '.json', 'out', 'the weights');
      if (out !== undefined) refuseReplacingInputs([out]);
      const builder = new FrameBuilder(loaded.model, loaded.library);
      const network = builder.network(loaded.model.baseNetwork);
      const text = `${JSON.stringify(weightsToJson(network))}\n`;
      if (out === undefined) return printData(text);
      writeFileAtomic(out, text);
      report.info(`wrote ${out}`);
    });
}
