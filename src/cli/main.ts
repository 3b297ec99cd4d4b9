#!/usr/bin/env node
/**
 * The cppn-motion command line's entry point: it catches the interrupt
 * signals before anything else, then loads the commands (program.ts), which
 * takes long enough for a signal to arrive meanwhile.
 */
import { installSignalHandlers } from './signals.js';

installSignalHandlers();
const { runProgram } = await import('./program.js');
await runProgram();
