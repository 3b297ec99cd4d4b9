/**
 * The Node edge of scene loading: reading scene and weights files from disk.
 * Everything after the read is load.ts, which the browser preview shares.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import type { NetworkWeights } from '../core/index.js';
import { UserError } from '../errors.js';
import { parseSceneText, sceneFromFile, sceneWarnings, validateSceneData, type LoadedScene } from './load.js';
import { weightsFromJson } from './weights-file.js';

export function readWeightsFile(path: string): NetworkWeights {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`weights file ${path} cannot be read`, 'check the path; it is relative to the scene file');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return weightsFromJson(data, path);
}


/** Reads, validates and models a scene file. */
export function loadScene(path: string): LoadedScene {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `scene file ${path} does not exist` : `scene file ${path} cannot be read (${code})`);
  }
  const { data, source } = parseSceneText(text, path);
  const scene = validateSceneData(data, source);
  const formatsWritten = (data as { output?: { formats?: unknown } }).output?.formats !== undefined;
  return { ...sceneFromFile(scene, path, dirname(resolve(path)), basename(path, extname(path)), new Map(), readWeightsFile), ...sceneWarnings(scene, path, source), formatsWritten };
}

/** A scene stored as JSON in an output file's metadata (for --from). */
export function sceneFromJson(text: string, origin: string): LoadedScene {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError(`${origin}: its stored scene is not valid JSON`);
  }
  const scene = validateSceneData(data);
  return sceneFromFile(scene, origin, dirname(resolve(origin)), basename(origin, extname(origin)), new Map(), readWeightsFile);
}
