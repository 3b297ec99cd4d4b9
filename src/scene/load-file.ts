/**
 * The Node edge of scene loading: reading scene and weights files from disk.
 * Everything after the read is load.ts, which the browser preview shares.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import type { NetworkWeights } from '../core/index.js';
import { SceneError, UserError } from '../errors.js';
import { parseSceneText, SCENE_FILE_LIMIT, sceneFromFile, sceneWarnings, validateSceneData, type LoadedScene } from './load.js';
import type { SceneFile } from './schema.js';
import { weightsFromJson } from './weights-file.js';

/** Reads a scene or weights file, refusing one too large to parse before it is read into memory. */
function readBoundedText(path: string): string {
  const size = statSync(path).size;
  if (size > SCENE_FILE_LIMIT) {
    throw new SceneError([{ file: path, path: [], message: `the file is ${(size / 1024 / 1024).toFixed(1)} MB; scene and weights files may be at most ${SCENE_FILE_LIMIT / 1024 / 1024} MB` }]);
  }
  return readFileSync(path, 'utf8');
}

export function readWeightsFile(path: string): NetworkWeights {
  let text: string;
  try {
    text = readBoundedText(path);
  } catch (error) {
    if (error instanceof SceneError) throw error;
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
    text = readBoundedText(path);
  } catch (error) {
    if (error instanceof SceneError) throw error;
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
  let scene: SceneFile;
  try {
    scene = validateSceneData(data);
  } catch (error) {
    // The stored scene has no lines to point at: name the file it came from.
    if (error instanceof SceneError) throw new SceneError(error.problems.map((p) => ({ ...p, file: p.file ?? `${origin} (its stored scene)` })));
    throw error;
  }
  return sceneFromFile(scene, origin, dirname(resolve(origin)), basename(origin, extname(origin)), new Map(), readWeightsFile);
}
