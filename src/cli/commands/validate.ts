import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import { isStillScene, loadScene } from '../../scene/index.js';
import { addOptions, cliSay } from '../options.js';
import { reporter } from '../report.js';

export function registerValidate(program: Command): void {
  const command = program
    .command('validate')
    .description('check scene files without rendering (exit code 2 if any has a problem)')
    .argument('<scenes...>', 'scene files');
  addOptions(command, ['quiet']).action((paths: string[], flags: { quiet?: boolean }) => {
      const report = reporter(flags.quiet);
      let failed = 0;
      for (const path of paths) {
        try {
          const loaded = loadScene(path);
          for (const warning of [...loaded.warnings, ...(loaded.motionWarning ? [loaded.motionWarning] : [])]) report.warn(warning);
          const { model } = loaded;
          report.info(`${path}: ok — ${model.name}, ${model.width}x${model.height}, ${isStillScene(loaded.scene) ? 'a still' : `${model.timeline.frameCount} frames`}, network ${model.shape.inputCount} → [${model.shape.hidden.join(', ')}] → ${model.shape.outputCount}`);
        } catch (error) {
          if (paths.length === 1) throw error;
          failed++;
          process.stderr.write(`error: ${error instanceof UserError ? cliSay(error.said) : (error as Error).message}\n`);
        }
      }
      if (failed > 0) process.exitCode = 2;
    });
}
