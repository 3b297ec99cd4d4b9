/** Parsers for command-line values: each turns text into a value or a clear error. */
import { InvalidArgumentError, type Command } from 'commander';
import { availableParallelism, totalmem } from 'node:os';
import { ACTIVATION_NAMES, type ActivationName } from '../core/index.js';
import { FORMATS, LIMITS, type Format } from '../scene/index.js';
import { closest } from '../scene/suggest.js';
import { BACKEND_REQUESTS, type BackendRequest } from '../render/backend-request.js';

export function parseSize(text: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`"${text}" is not a size; write WIDTHxHEIGHT, e.g. 512x512`);
  const [w, h] = [Number(m[1]), Number(m[2])];
  if (w < 1 || h < 1 || w > LIMITS.side || h > LIMITS.side) throw new InvalidArgumentError(`each side must be between 1 and ${LIMITS.side} pixels`);
  if (w * h > LIMITS.pixels) throw new InvalidArgumentError(`${w}x${h} is more than ${LIMITS.pixels / 1024 / 1024} megapixels`);
  return [w, h];
}

export function parseNonNegative(text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw new InvalidArgumentError(`"${text}" is not a number of 0 or more`);
  return v;
}

export function parsePositive(max: number) {
  return (text: string): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v <= 0 || v > max) throw new InvalidArgumentError(`"${text}" must be a number above 0 and at most ${max}`);
    return v;
  };
}

export function parseWholeNumber(min: number, max: number) {
  return (text: string): number => {
    const v = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || v < min || v > max) throw new InvalidArgumentError(`"${text}" must be a whole number from ${min} to ${max}`);
    return v;
  };
}

export const parseSeed = parseWholeNumber(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

export function parseFormats(text: string): Format[] {
  const parts = text.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  const bad = parts.filter((p) => !(FORMATS as readonly string[]).includes(p));
  if (parts.length === 0 || bad.length > 0) throw new InvalidArgumentError(`"${bad[0] ?? text}" is not a format; use any of ${FORMATS.join(', ')} separated by commas`);
  return [...new Set(parts)] as Format[];
}

/** A comma-separated list of activation names, e.g. "tanh,cos". */
export function parseActivationNames(text: string): ActivationName[] {
  const parts = text.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  if (parts.length === 0) throw new InvalidArgumentError(`name one or more activations separated by commas, e.g. tanh,cos`);
  for (const part of parts) {
    if (!(ACTIVATION_NAMES as readonly string[]).includes(part)) {
      const guess = closest(part, ACTIVATION_NAMES);
      throw new InvalidArgumentError(`"${part}" is not an activation${guess ? ` (did you mean "${guess}"?)` : ''}; use any of ${ACTIVATION_NAMES.join(', ')}`);
    }
  }
  return [...new Set(parts)] as ActivationName[];
}

/** Memory one render worker may take (its thread, the kernel, frame buffers), with room to spare. */
const WORKER_MEMORY = 96 * 1024 * 1024;

/** The most worker threads this machine can hold usefully: four per core, and what its memory takes. */
export function maxWorkers(): number {
  return Math.max(1, Math.min(256, availableParallelism() * 4, Math.floor(totalmem() / 2 / WORKER_MEMORY)));
}

/** --workers: a whole number from 1 to what the machine can hold (hundreds of threads exhaust memory long before they help). */
export function parseWorkers(text: string): number {
  const workers = parseWholeNumber(1, 256)(text);
  const max = maxWorkers();
  if (workers > max) throw new InvalidArgumentError(`${workers} workers is more than this machine can use (${availableParallelism()} cores); use at most ${max}`);
  return workers;
}

/** What --backend means for a command that renders on this machine. */
const BACKEND_HELP = 'where frames are computed: cpu (the exact reference), gpu (WebGPU; 99 % of values within ±2 of the CPU), auto (the GPU when a hardware one is there, else the CPU)';

/** The same with --redis, where the workers compute the frames. */
export const CLUSTER_BACKEND_HELP = `${BACKEND_HELP}; with --redis, the workers that render: gpu sends the jobs to workers with a GPU, and auto means cpu (the coordinator cannot know which workers will have a GPU; every worker renders the CPU's exact pixels)`;

/** --backend, shared by render, still, batch and worker: where the frames are computed (`help`: what it means for this command). */
export function addBackendFlag(command: Command, help = BACKEND_HELP): Command {
  return command.option(
    '--backend <kind>',
    help,
    (text: string): BackendRequest => {
      const request = text.trim().toLowerCase();
      if (!(BACKEND_REQUESTS as readonly string[]).includes(request)) throw new InvalidArgumentError(`"${text}" is not a backend; use ${BACKEND_REQUESTS.join(', ')}`);
      return request as BackendRequest;
    },
    'auto',
  );
}
