import type { Command } from 'commander';
import { FrameBuilder, weightsToJson } from '../../scene/index.js';
import { parseSeed } from '../options.js';
import { printData, reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';

export function registerWeights(program: Command): void {
  const weights = program.command('weights').description('network weights as JSON (PyTorch nn.Linear layout: rows = outputs, columns = inputs)');
  weights
    .command('export')
    .description("print the scene's network weights as JSON, e.g. > w.json; use it with `weights: w.json` in a scene")
    .argument('<scene>', 'scene file (.yaml)')
    .option('--seed <n>', 'network seed (default: the scene seed)', parseSeed)
    .action(async (scenePath: string, flags: { seed?: number }) => {
      const loaded = await sceneFromArguments(scenePath, undefined, { seed: flags.seed }, reporter());
      const builder = new FrameBuilder(loaded.model, loaded.library);
      const network = builder.network(loaded.model.baseNetwork);
      await printData(`${JSON.stringify(weightsToJson(network))}\n`);
    });
}
