/**
 * The cppn-motion command line. Thin: each command parses its flags and calls
 * the library. User mistakes end with one clear message and exit code 2;
 * failures of the work itself with exit code 1; interrupts with 130.
 */
import { Command, CommanderError } from 'commander';
// The cluster's errors from their own modules: the cluster's index would load the queue's libraries for every command.
import { ChunkStoreError, ClusterError } from '../cluster/cluster-error.js';
import { FfmpegError } from '../encode/ffmpeg.js';
import { GpuError, InterruptedError, OutputError, UserError, type Text } from '../errors.js';
import { registerActivations } from './commands/activations.js';
import { registerBatch } from './commands/batch.js';
import { registerCompare } from './commands/compare.js';
import { registerDoctor } from './commands/doctor.js';
import { registerExplore } from './commands/explore.js';
import { registerFit } from './commands/fit.js';
import { registerInspect } from './commands/inspect.js';
import { registerPreview } from './commands/preview.js';
import { registerRender } from './commands/render.js';
import { registerValidate } from './commands/validate.js';
import { registerStill } from './commands/still.js';
import { registerWeights } from './commands/weights.js';
import { registerWorker } from './commands/worker.js';
import { cliSay } from './options.js';
import { VERSION } from './version.js';


/** "error: …" and, where there is one, "hint: …", naming options as the command line's flags. */
function writeSaid(said: Text, hintSaid?: Text): void {
  process.stderr.write(`error: ${cliSay(said)}\n`);
  const hint = hintSaid === undefined ? '' : cliSay(hintSaid);
  if (hint) process.stderr.write(`hint: ${hint}\n`);
}

function exitWith(error: unknown): never {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (error instanceof UserError) {
    writeSaid(error.said, error.hintSaid);
    process.exit(2);
  }
  if (error instanceof ClusterError) {
    writeSaid(error.said);
    process.exit(1);
  }
  if (error instanceof GpuError) {
    writeSaid(error.said, error.hintSaid);
    process.exit(1);
  }
  if (error instanceof FfmpegError || error instanceof OutputError || error instanceof ChunkStoreError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  }
  if (error instanceof InterruptedError) {
    process.stderr.write(`stopped: ${error.message}; no partial output was kept\n`);
    process.exit(130);
  }
  process.stderr.write(`error: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}

/** The command line with every command and its options, not yet given its arguments. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('cppn-motion')
    .description('Looping videos and GIFs from keyframed trajectories through small random neural networks (CPPNs).')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerRender(program);
  registerBatch(program);
  registerStill(program);
  registerPreview(program);
  registerExplore(program);
  registerValidate(program);
  registerInspect(program);
  registerActivations(program);
  registerCompare(program);
  registerWeights(program);
  registerFit(program);
  registerDoctor(program);
  registerWorker(program);
  return program;
}

async function main(): Promise<void> {
  // `cppn-motion … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    // Other write errors reach the writer (printData), which reports them.
  });
  await buildProgram().parseAsync(process.argv);
}

/** Runs the command the process was given; never returns normally on an error (the exit code says what happened). */
export function runProgram(): Promise<void> {
  return main().catch(exitWith);
}
