/**
 * The Node edge of scene loading: reading scene and weights files from disk.
 * Everything after the read is load.ts, which the browser preview shares.
 * Every file goes through the one bounded reader (../files/regular-file.ts).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import type { NetworkWeights } from '../core/index.js';
import { SceneError, UserError } from '../errors.js';
import { FileInputError, readRegularFile } from '../files/index.js';
import { dataBoundsProblem } from './document-bounds.js';
import { INPUT_LIMITS } from './input-limits.js';
import { parseSceneText, sceneFromFile, sceneWarnings, validateSceneData, type LoadedScene } from './load.js';
import type { SceneFile } from './schema.js';
import { weightsFromJson } from './weights-file.js';

/**
 * Where JSON.parse stopped, without the text around it: V8 quotes the start
 * of the file in its message, and a weights path may name a file that holds
 * no weights at all (a password file): its contents must never reach a message.
 */
function jsonProblem(error: unknown): string {
  const message = (error as Error).message;
  const position = /position (\d+)/.exec(message)?.[1];
  if (/end of JSON input/i.test(message)) return ' (it ends in the middle of a value)';
  return position === undefined ? '' : ` (from byte ${position} on)`;
}

/** A weights file; `subject` names it in messages (a flag such as `--init x.json`, else "weights file x.json"). */
export function readWeightsFile(path: string, subject?: string): NetworkWeights {
  const name = subject ?? `weights file ${path}`;
  let text: string;
  try {
    text = readRegularFile(path, name, INPUT_LIMITS.weightsFile, 'weights files').toString('utf8');
  } catch (error) {
    if (error instanceof FileInputError && error.reason === 'missing' && subject === undefined) throw new FileInputError(error.message, 'missing', 'check the path; it is relative to the scene file');
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${name} is not valid JSON${jsonProblem(error)}`, 'a weights file is {"layers": [{"weight": [[...]], "bias": [...]}, ...]}, as `cppn-motion weights export` writes it');
  }
  return weightsFromJson(data, subject ?? path);
}

/** Reads, validates and models a scene file. */
export function loadScene(path: string): LoadedScene {
  return loadSceneText(readRegularFile(path, `scene file ${path}`, INPUT_LIMITS.sceneFile, 'scene files').toString('utf8'), path);
}

/** Validates and models a scene file's text as if it were read from `path` (a file about to be written there). */
export function loadSceneText(text: string, path: string): LoadedScene {
  const { data, source } = parseSceneText(text, path);
  const scene = validateSceneData(data, source);
  const formatsWritten = (data as { output?: { formats?: unknown } }).output?.formats !== undefined;
  return { ...sceneFromFile(scene, path, dirname(resolve(path)), basename(path, extname(path)), new Map(), (weights) => readWeightsFile(weights)), ...sceneWarnings(scene, path, source), formatsWritten };
}

/**
 * A stored scene names its weights files by the absolute paths they had
 * where it was made. Anyone can write any path into a file's metadata, so a
 * stored scene is not trusted to read what it likes: each weights file is
 * looked for by its name in the folder of the file the scene came from, and
 * nowhere else. An output shared together with its weights files, in one
 * folder, renders anywhere; a path such as /dev/zero or /etc/passwd reads
 * nothing outside that folder.
 */
function weightsBesideOrigin(scene: SceneFile, origin: string, storedByName: Map<string, string>): SceneFile {
  const folder = dirname(resolve(origin));
  const beside = (stored: string): string => {
    const name = basename(stored.replaceAll('\\', '/'));
    const other = storedByName.get(name);
    if (other !== undefined && other !== stored) {
      throw new UserError(`${origin}: its stored scene names two weights files called ${name} (${other} and ${stored}); weights files are found by name beside the file, so their names must differ`, 'render from the scene file instead');
    }
    storedByName.set(name, stored);
    return resolve(folder, name);
  };
  return {
    ...scene,
    weights: scene.weights !== undefined ? beside(scene.weights) : undefined,
    keyframes: scene.keyframes.map((k) => (k.weights !== undefined ? { ...k, weights: beside(k.weights) } : k)),
  };
}

/** A scene stored as JSON in an output file's metadata (for --from). */
export function sceneFromJson(text: string, origin: string): LoadedScene {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError(`${origin}: its stored scene is damaged (not valid JSON)`);
  }
  const tooLarge = dataBoundsProblem(data);
  if (tooLarge) throw new UserError(`${origin}: its stored scene is refused: ${tooLarge}`);
  let scene: SceneFile;
  try {
    scene = validateSceneData(data);
  } catch (error) {
    // The stored scene has no lines to point at: name the file it came from.
    if (error instanceof SceneError) throw new SceneError(error.problems.map((p) => ({ ...p, file: p.file ?? `${origin} (its stored scene)` })));
    throw error;
  }
  const storedByName = new Map<string, string>();
  const besideScene = weightsBesideOrigin(scene, origin, storedByName);
  // Every weights file that is not beside the file, named at once (a morph names several).
  const missing = [...storedByName.keys()].filter((name) => !existsSync(resolve(dirname(resolve(origin)), name)));
  if (missing.length > 0) {
    const names = missing.join(', ');
    const stored = missing.map((name) => storedByName.get(name)).join(', ');
    throw new UserError(
      `${origin}: its stored scene takes weights from ${names} (made with ${stored}), ${missing.length === 1 ? 'which is' : 'which are'} not beside it in ${dirname(resolve(origin))}; a scene read from a file reads weights files only from that file's folder`,
      `copy ${names} next to ${origin}, or render from the scene file`,
    );
  }
  const readBeside = (path: string): NetworkWeights => readWeightsFile(path);
  return sceneFromFile(besideScene, origin, dirname(resolve(origin)), basename(origin, extname(origin)), new Map(), readBeside);
}
