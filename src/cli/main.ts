#!/usr/bin/env node
/**
 * The cppn-motion command line's entry point: it catches the interrupt
 * signals before anything else, then loads the commands (program.ts), which
 * takes the better part of a second.
 */
import { installSignalHandlers } from './signals.js';

installSignalHandlers();
const { runProgram } = await import('./program.js');
await runProgram();
