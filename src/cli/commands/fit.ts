import type { Command } from 'commander';
import { basename, extname } from 'node:path';
import { checkWeightsFit, randomWeights, type ActivationName, type NetworkWeights, type OptimiserName } from '../../core/index.js';
import { PendingOutput } from '../../files/index.js';
import { option, UserError, words } from '../../errors.js';
import { defaultFitSize, fitNetwork, fitOutputPaths, loadTargetImage, writeFitOutputs, type FitProgress } from '../../fit/index.js';
import { applyOverrides, readWeightsFile, sceneFromFile, validateSceneData, type LoadedScene } from '../../scene/index.js';
import { interruptible } from '../interrupts.js';
import { refuseIdleFlags } from '../idle-flags.js';
import { protectInput, refuseReplacingInputs } from '../inputs.js';
import { outputFile } from '../output-paths.js';
import { addOptions, cliSay } from '../options.js';
import { commandLine, flagWord, OptionValueError } from '../../scene/options/index.js';
import { seed as parseSeed } from '../../scene/options/values.js';
import { reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';

interface FitFlags {
  scene?: string;
  steps: number;
  targetPsnr?: number;
  size?: [number, number];
  out?: string;
  init?: string;
  activation?: ActivationName;
  optimiser: OptimiserName;
  learningRate?: number;
  momentum?: number;
  batchSize?: number;
  weightDecay?: number;
  seed?: number;
  at: number;
  workers?: number;
  quiet?: boolean;
}

/** The scene to fit: a scene file, or the project's default network. --activation replaces its hidden layers' activation. */
async function sceneToFit(flags: FitFlags): Promise<LoadedScene> {
  const report = reporter(flags.quiet);
  let loaded = flags.scene !== undefined ? await sceneFromArguments(flags.scene, undefined, { seed: flags.seed }, report) : sceneFromFile(validateSceneData({ seed: flags.seed ?? 1 }), 'the default scene', process.cwd(), 'fit');
  if (flags.activation !== undefined) {
    const scene = validateSceneData({ ...loaded.scene, network: { ...loaded.scene.network, activation: flags.activation } });
    loaded = sceneFromFile(scene, loaded.origin, '/', scene.name!, loaded.library);
  }
  const size = flags.size ?? defaultFitSize(loaded.model.width, loaded.model.height);
  return applyOverrides(loaded, { size });
}

/** A seed given to --init. */
function seedOf(init: string): number {
  try {
    return parseSeed(init);
  } catch (error) {
    if (error instanceof OptionValueError) throw new UserError(words`${option('init')} ${init}: ${error.message}`);
    throw error;
  }
}

/** --init: a weights file, or a seed for the scene's initialisation. */
function initialWeights(loaded: LoadedScene, init: string | undefined): NetworkWeights | undefined {
  if (init === undefined) return undefined;
  if (/^-?\d+$/.test(init.trim())) return randomWeights(loaded.model.shape, loaded.model.init, seedOf(init));
  // The scene loader's reader: regular files only, bounded, no quoting of a file that is not JSON.
  const weights = readWeightsFile(init, cliSay(words`${option('init')} ${init}`));
  protectInput(init, `the ${flagWord('init')} weights file`);
  try {
    checkWeightsFit(loaded.model.shape, weights);
  } catch (error) {
    throw new UserError(words`${option('init')} ${init} does not fit the scene's network: ${(error as Error).message}`);
  }
  return weights;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Live progress: one rewritten line on a terminal, a line every few seconds otherwise. */
function fitProgress(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): { update(p: FitProgress): void; stop(): void } {
  if (quiet) return { update: () => undefined, stop: () => undefined };
  let last = -Infinity;
  let drawn = false;
  const every = stream.isTTY ? 100 : 5000;
  const line = (p: FitProgress): string =>
    `step ${p.step}/${p.steps} | loss ${p.loss.toExponential(2)} | PSNR ${p.psnr.toFixed(2)} dB (best ${p.bestPsnr.toFixed(2)}) | ${p.stepsPerSecond.toFixed(1)} steps/s | ${formatSeconds(p.etaSeconds)} left`;
  return {
    update(p) {
      if (p.elapsedMs - last < every && p.step !== p.steps) return;
      last = p.elapsedMs;
      if (stream.isTTY) {
        stream.write(`\r\x1b[K${line(p)}`);
        drawn = true;
      } else stream.write(`${line(p)}\n`);
    },
    stop() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

export function registerFit(program: Command): void {
  const command = program
    .command('fit')
    .description("teach a scene's network a picture: writes the weights (JSON), the fitted picture (PNG) and a chart of the fit")
    .argument('<target>', 'the picture to learn (PNG, JPEG, WebP…)');
  addOptions(command, ['scene', 'steps', 'targetPsnr', 'size', 'out', 'init', 'activation', 'optimiser', 'learningRate', 'momentum', 'batchSize', 'weightDecay', 'seed', 'at', 'workers', 'quiet'])
    .action(async (targetPath: string, flags: FitFlags) => {
      const report = reporter(flags.quiet);
      if (flags.momentum !== undefined && flags.momentum >= 1) throw new UserError(words`${option('momentum')} ${flags.momentum}: momentum must be below 1`);
      refuseIdleFlags([
        {
          option: 'momentum',
          given: flags.momentum !== undefined,
          idle: flags.optimiser !== 'sgd',
          because: words`with ${option('optimiser')} ${flags.optimiser} (Adam keeps its own running averages; momentum is SGD's)`,
          hint: words`add ${option('optimiser')} sgd, or leave ${option('momentum')} out`,
        },
      ]);
      const loaded = await sceneToFit(flags);
      const init = initialWeights(loaded, flags.init);
      const { width, height } = loaded.model;
      const target = await loadTargetImage(targetPath, width, height);
      protectInput(targetPath, 'the target picture');
      const stem = basename(targetPath, extname(targetPath));
      const out = outputFile(flags.out, `${stem}${flags.activation ? `-${flags.activation}` : ''}.json`, '.json', 'out', 'the weights file');
      if (extname(out).toLowerCase() !== '.json') throw new UserError(words`${option('out')} ${out}: the weights file must end in .json (the picture and chart are written beside it)`);
      // Find out now, not after the training, when an output would replace an input or its folder cannot be made.
      const paths = fitOutputPaths(out);
      refuseReplacingInputs([paths.weights, paths.picture, paths.chart]);
      new PendingOutput(out).discard();
      report.info(`fitting ${loaded.model.name}'s network (${loaded.model.shape.hidden.length} hidden layers, ${loaded.model.shape.activations[0].name}) to ${targetPath} at ${width}x${height}`);
      const progress = fitProgress(Boolean(flags.quiet));
      let interrupted = false;
      const result = await interruptible(async (signal) => {
        const fit = await fitNetwork(loaded, target, {
          steps: flags.steps,
          targetPsnr: flags.targetPsnr,
          optimiser: flags.optimiser,
          learningRate: flags.learningRate,
          momentum: flags.momentum,
          weightDecay: flags.weightDecay,
          batchSize: flags.batchSize,
          workers: flags.workers,
          init,
          at: flags.at,
          signal,
          onProgress: (p) => progress.update(p),
        });
        progress.stop();
        interrupted = fit.stopped === 'interrupted';
        const written = await writeFitOutputs(loaded, fit, out, { at: flags.at, workers: flags.workers });
        return { fit, written };
      }).finally(() => progress.stop());
      const { fit, written } = result;
      const why = { steps: `done: ${fit.steps} steps`, psnr: `reached ${flags.targetPsnr} dB after ${fit.steps} steps`, interrupted: `stopped: interrupted after ${fit.steps} steps; kept the best weights` }[fit.stopped];
      report.info(`${why}: PSNR ${fit.psnr.toFixed(2)} dB at step ${fit.bestStep} (${fit.stepsPerSecond.toFixed(1)} steps/s on ${fit.workers} worker${fit.workers === 1 ? '' : 's'})`);
      report.info(`wrote ${written.paths.weights}, ${written.paths.picture}, ${written.paths.chart}`);
      report.info(`use the weights with \`weights: ${written.paths.weights}\` in a scene, or re-render: ${commandLine('still', ['from', written.paths.picture], ['size', '1024x1024'])}`);
      if (interrupted) process.exitCode = 130;
    });
}
