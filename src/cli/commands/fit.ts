import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { basename, extname } from 'node:path';
import { checkWeightsFit, OPTIMISER_NAMES, randomWeights, type ActivationName, type NetworkWeights, type OptimiserName } from '../../core/index.js';
import { PendingOutput } from '../../files/index.js';
import { UserError } from '../../errors.js';
import { defaultFitSize, fitNetwork, fitOutputPaths, loadTargetImage, writeFitOutputs, type FitProgress } from '../../fit/index.js';
import { applyOverrides, readWeightsFile, sceneFromFile, validateSceneData, type LoadedScene } from '../../scene/index.js';
import { interruptible } from '../interrupts.js';
import { refuseIdleFlags } from '../idle-flags.js';
import { protectInput, refuseReplacingInputs } from '../inputs.js';
import { outputFile, parseOutPath } from '../output-paths.js';
import { parseActivationNames, parseNonNegative, parsePositive, parseSeed, parseSize, parseWholeNumber } from '../options.js';
import { reporter } from '../report.js';
import { sceneFromArguments } from '../scene-source.js';

interface FitFlags {
  scene?: string;
  steps: number;
  psnr?: number;
  size?: [number, number];
  out?: string;
  init?: string;
  activation?: ActivationName;
  optimiser: OptimiserName;
  lr?: number;
  momentum?: number;
  batch?: number;
  weightDecay?: number;
  seed?: number;
  at: number;
  workers?: number;
  quiet?: boolean;
}

function parseOptimiser(text: string): OptimiserName {
  const name = text.trim().toLowerCase();
  if (!(OPTIMISER_NAMES as readonly string[]).includes(name)) throw new InvalidArgumentError(`"${text}" is not an optimiser; use ${OPTIMISER_NAMES.join(' or ')}`);
  return name as OptimiserName;
}

function parseOneActivation(text: string): ActivationName {
  const names = parseActivationNames(text);
  if (names.length !== 1) throw new InvalidArgumentError('name one activation for the hidden layers, e.g. tanh');
  return names[0];
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

/** --init: a weights file, or a seed for the scene's initialisation. */
function initialWeights(loaded: LoadedScene, init: string | undefined): NetworkWeights | undefined {
  if (init === undefined) return undefined;
  if (/^-?\d+$/.test(init.trim())) return randomWeights(loaded.model.shape, loaded.model.init, parseSeed(init));
  // The scene loader's reader: regular files only, bounded, no quoting of a file that is not JSON.
  const weights = readWeightsFile(init, `--init ${init}`);
  protectInput(init, 'the --init weights file');
  try {
    checkWeightsFit(loaded.model.shape, weights);
  } catch (error) {
    throw new UserError(`--init ${init} does not fit the scene's network: ${(error as Error).message}`);
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
  program
    .command('fit')
    .description("teach a scene's network a picture: writes the weights (JSON), the fitted picture (PNG) and a chart of the fit")
    .argument('<target>', 'the picture to learn (PNG, JPEG, WebP…)')
    .option('--scene <file>', "scene whose network, view and seed to start from (default: the project's default network)")
    .option('--steps <n>', 'training steps at most', parseWholeNumber(1, 10_000_000), 2000)
    .option('--psnr <dB>', 'stop as soon as the whole picture reaches this PSNR', parsePositive(200))
    .option('--size <WxH>', "size of the picture learned (default: the scene's aspect ratio, 128 pixels on the longer side)", parseSize)
    .option('--out <file.json>', 'weights file to write, or a folder ending in /; the fitted picture (<name>-fitted.png) and the chart (<name>-chart.png) go beside it (default: output/<target>.json)', parseOutPath)
    .option('--init <file.json|seed>', "start from these weights, or from this seed, instead of the scene's network")
    .option('--activation <name>', 'activation of every hidden layer instead of the scene’s (identity shows what a network without nonlinearity can learn)', parseOneActivation)
    .option('--optimiser <name>', 'adam, or sgd (with momentum)', parseOptimiser, 'adam')
    .option('--lr <rate>', 'learning rate (default: 0.01 for adam, 0.1 for sgd)', parsePositive(100))
    .option('--momentum <m>', 'sgd momentum (default 0.9)', parseNonNegative)
    .option('--batch <pixels>', 'pixels per mini-batch, drawn at random and reshuffled each pass (default 4096)', parseWholeNumber(1, 16_777_216))
    .option('--weight-decay <d>', 'shrinks every weight by lr·d per step (default 0)', parseNonNegative)
    .option('--seed <n>', 'network seed to start from (default: the scene seed)', parseSeed)
    .option('--at <seconds>', 'the moment of the scene whose view and parameters are fitted', parseNonNegative, 0)
    .option('--workers <n>', 'worker threads (default: one per core; the same seed and count give the same weights)', parseWholeNumber(1, 256))
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (targetPath: string, flags: FitFlags) => {
      const report = reporter(flags.quiet);
      if (flags.momentum !== undefined && flags.momentum >= 1) throw new UserError(`--momentum ${flags.momentum}: momentum must be below 1`);
      refuseIdleFlags([{ flag: '--momentum', given: flags.momentum !== undefined, idle: flags.optimiser !== 'sgd', because: `with --optimiser ${flags.optimiser} (Adam keeps its own running averages; momentum is SGD's)`, hint: 'add --optimiser sgd, or leave --momentum out' }]);
      const loaded = await sceneToFit(flags);
      const init = initialWeights(loaded, flags.init);
      const { width, height } = loaded.model;
      const target = await loadTargetImage(targetPath, width, height);
      protectInput(targetPath, 'the target picture');
      const stem = basename(targetPath, extname(targetPath));
      const out = outputFile(flags.out, `${stem}${flags.activation ? `-${flags.activation}` : ''}.json`, '.json', '--out', 'the weights file');
      if (extname(out).toLowerCase() !== '.json') throw new UserError(`--out ${out}: the weights file must end in .json (the picture and chart are written beside it)`);
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
          targetPsnr: flags.psnr,
          optimiser: flags.optimiser,
          learningRate: flags.lr,
          momentum: flags.momentum,
          weightDecay: flags.weightDecay,
          batchSize: flags.batch,
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
      const why = { steps: `done: ${fit.steps} steps`, psnr: `reached ${flags.psnr} dB after ${fit.steps} steps`, interrupted: `stopped: interrupted after ${fit.steps} steps; kept the best weights` }[fit.stopped];
      report.info(`${why}: PSNR ${fit.psnr.toFixed(2)} dB at step ${fit.bestStep} (${fit.stepsPerSecond.toFixed(1)} steps/s on ${fit.workers} worker${fit.workers === 1 ? '' : 's'})`);
      report.info(`wrote ${written.paths.weights}, ${written.paths.picture}, ${written.paths.chart}`);
      report.info(`use the weights with \`weights: ${written.paths.weights}\` in a scene, or re-render: cppn-motion still --from ${written.paths.picture} --size 1024x1024`);
      if (interrupted) process.exitCode = 130;
    });
}
