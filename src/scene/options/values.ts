/**
 * The kinds of value an option takes, each a parser from the text a person
 * typed to the value, or a clear error. Pure: the option table, and so the
 * browser, load them. A parser says what is wrong with an OptionValueError
 * (the command line puts the flag and the value in front of it) or, where the
 * message names the option itself, a UserError.
 */
import { ACTIVATION_NAMES, OPTIMISER_NAMES, type ActivationName, type OptimiserName } from '../../core/index.js';
import { option, UserError, words } from '../../errors.js';
import { sizeProblem } from '../frame-size.js';
import { FORMATS, GIF_DITHERS, type Format } from '../output-formats.js';
import { GRID_PARAMETERS, type GridParameter } from '../parameters.js';
import { parseSeedList } from '../seed-list.js';
import { closest } from '../suggest.js';

/** What is wrong with a value, said after the option and the value it was given. */
export class OptionValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionValueError';
  }
}

/** What a parser may know of the machine it runs on (only the command line knows it). */
export interface Machine {
  cores: number;
  /** The most worker threads this machine can hold usefully. */
  maxWorkers: number;
}

/** Text to value; `machine`, where the caller knows it, for values bounded by the machine. */
export type Parser<T = unknown> = (text: string, machine?: () => Machine) => T;

export function size(text: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!m) throw new OptionValueError(`"${text}" is not a size; write WIDTHxHEIGHT, e.g. 512x512`);
  const [w, h] = [Number(m[1]), Number(m[2])];
  const problem = sizeProblem(w, h);
  if (problem) throw new OptionValueError(problem);
  return [w, h];
}

export function nonNegative(text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw new OptionValueError(`"${text}" is not a number of 0 or more`);
  return v;
}

export function positive(max: number): Parser<number> {
  return (text) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v <= 0 || v > max) throw new OptionValueError(`"${text}" must be a number above 0 and at most ${max}`);
    return v;
  };
}

export function wholeNumber(min: number, max: number): Parser<number> {
  return (text) => {
    const v = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || v < min || v > max) throw new OptionValueError(`"${text}" must be a whole number from ${min} to ${max}`);
    return v;
  };
}

export const seed: Parser<number> = wholeNumber(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

/** The most worker threads a command may ask for, whatever the machine. */
const MOST_WORKERS = 256;

/** Worker threads: a whole number from 1 to what the machine can hold (hundreds of threads exhaust memory long before they help). */
export const workers: Parser<number> = (text, machine) => {
  const count = wholeNumber(1, MOST_WORKERS)(text);
  if (!machine) return count;
  const { cores, maxWorkers } = machine();
  if (count > maxWorkers) throw new OptionValueError(`${count} workers is more than this machine can use (${cores} cores); use at most ${maxWorkers}`);
  return count;
};

/** Worker threads where the count is part of the result (the same count gives the same weights on any machine). */
export const anyWorkers: Parser<number> = wholeNumber(1, MOST_WORKERS);

export function formats(text: string): Format[] {
  const parts = text.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  const bad = parts.filter((p) => !(FORMATS as readonly string[]).includes(p));
  if (parts.length === 0 || bad.length > 0) throw new OptionValueError(`"${bad[0] ?? text}" is not a format; use any of ${FORMATS.join(', ')} separated by commas`);
  return [...new Set(parts)] as Format[];
}

/** One of `choices`, as the option's value: any case, surrounding spaces ignored. */
export function oneOf<T extends string>(what: string, choices: readonly T[], joiner = ', '): Parser<T> {
  return (text) => {
    const value = text.trim().toLowerCase();
    if (!(choices as readonly string[]).includes(value)) throw new OptionValueError(`"${text}" is not ${what}; use ${choices.join(joiner)}`);
    return value as T;
  };
}

/** A comma-separated list of activation names, e.g. "tanh,cos". */
export function activationNames(text: string): ActivationName[] {
  const parts = text.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  if (parts.length === 0) throw new OptionValueError(`name one or more activations separated by commas, e.g. tanh,cos`);
  for (const part of parts) {
    if (!(ACTIVATION_NAMES as readonly string[]).includes(part)) {
      const guess = closest(part, ACTIVATION_NAMES);
      throw new OptionValueError(`"${part}" is not an activation${guess ? ` (did you mean "${guess}"?)` : ''}; use any of ${ACTIVATION_NAMES.join(', ')}`);
    }
  }
  return [...new Set(parts)] as ActivationName[];
}

/** One activation, for every hidden layer. */
export function oneActivation(text: string): ActivationName {
  const names = activationNames(text);
  if (names.length !== 1) throw new OptionValueError('name one activation for the hidden layers, e.g. tanh');
  return names[0];
}

export const optimiser: Parser<OptimiserName> = oneOf('an optimiser', OPTIMISER_NAMES, ' or ');

/** The values of the `backend` option: what the user may ask for (src/render/backend-choice.ts decides what it means). */
export const BACKEND_REQUESTS = ['cpu', 'gpu', 'auto'] as const;
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];

export const backend: Parser<BackendRequest> = oneOf('a backend', BACKEND_REQUESTS);

/** A path an output is written to: never empty (it would write files named only by their extension). */
export function outPath(text: string): string {
  if (text.trim() === '') throw new OptionValueError('give a path (a file, or a folder ending in /)');
  return text;
}

/** Seeds as people write them: "1-12", "1,5,9". */
export function seeds(text: string): number[] {
  try {
    return parseSeedList(text);
  } catch (error) {
    throw new UserError(words`${option('seeds')} ${text}: ${(error as Error).message}`);
  }
}

/** `name=v1,v2`: a parameter of the series grid and the values it takes. */
export function gridEntry(text: string): [GridParameter, number[]] {
  const wrong = (what: string): UserError => new UserError(words`${option('grid')} ${text}: ${what}`);
  const m = /^([A-Za-z]+)=(.*)$/.exec(text.trim());
  if (!m) throw new UserError(words`${option('grid')} ${text}: write a parameter and its values, e.g. ${option('grid')} zoom=0.5,1,2`);
  const name = m[1];
  if (!(GRID_PARAMETERS as readonly string[]).includes(name)) {
    const guess = closest(name, GRID_PARAMETERS);
    throw wrong(`"${name}" cannot vary in a series${guess ? ` (did you mean "${guess}"?)` : ''}; use one of: ${GRID_PARAMETERS.join(', ')}`);
  }
  const values = m[2].split(',').map((v) => v.trim());
  if (values.length === 0 || values.some((v) => v === '' || !Number.isFinite(Number(v)))) throw wrong('give one or more numbers separated by commas');
  const numbers = values.map(Number);
  // 1 and 1.0 are the same item: two would render into the same files.
  if (new Set(numbers).size !== numbers.length) throw wrong('lists a value more than once');
  return [name as GridParameter, numbers];
}

/** A GIF dithering. */
export function dither(text: string): (typeof GIF_DITHERS)[number] {
  if (!(GIF_DITHERS as readonly string[]).includes(text)) throw new UserError(words`${option('gifDither')} ${text}: use one of ${GIF_DITHERS.join(', ')}`);
  return text as (typeof GIF_DITHERS)[number];
}

/** The format of an animated contact sheet: any animated format (a PNG sheet is written anyway). */
export function animatedFormat(text: string): Format {
  const [format] = formats(text);
  if (format === 'png') throw new UserError(words`${option('animatedSheet')} png: the sheet is one animation; use gif, webp, apng, mp4 or webm`);
  return format;
}
