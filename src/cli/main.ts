#!/usr/bin/env node
/**
 * The cppn-motion command line. Thin: each command parses its flags and calls
 * the library. User mistakes end with one clear message and exit code 2;
 * failures of the work itself with exit code 1; interrupts with 130.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { InterruptedError, UserError } from '../errors.js';
import { registerActivations } from './commands/activations.js';
import { registerCompare } from './commands/compare.js';
import { registerInspect } from './commands/inspect.js';
import { registerStill } from './commands/still.js';
import { registerWeights } from './commands/weights.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function exitWith(error: unknown): never {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (error instanceof UserError) {
    process.stderr.write(`error: ${error.message}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    process.exit(2);
  }
  if (error instanceof InterruptedError) {
    process.stderr.write(`stopped: ${error.message}; no partial output was kept\n`);
    process.exit(130);
  }
  process.stderr.write(`error: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const program = new Command();
  program
    .name('cppn-motion')
    .description('Looping videos and GIFs from keyframed trajectories through small random neural networks (CPPNs).')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerStill(program);
  registerWeights(program);
  registerInspect(program);
  registerActivations(program);
  registerCompare(program);
  await program.parseAsync(process.argv);
}

main().catch(exitWith);
