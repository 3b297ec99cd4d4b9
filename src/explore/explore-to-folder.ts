/**
 * `cppn-motion explore` as a library function: variations of a scene file
 * (breed, the same function the preview page uses) written as scene files
 * beside each other, each the original's text with only its change made
 * (comments kept), and a labelled contact sheet of them all at one moment.
 * The scene files are the same bytes for the same seed.
 *
 * The folder's new files appear together or not at all: each is written
 * under a temporary name first, the sheet is rendered from those, and only
 * then are they all renamed into place. A failure or an interrupt in between
 * leaves nothing under the final names, so running it again is not refused.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { drawContactSheet, type SheetLabel } from '../batch/contact-sheet.js';
import { makeOutputFolder, readRegularFile, writePendingFile, type PendingOutput } from '../files/index.js';
import { option, UserError, words } from '../errors.js';
import { renderStill } from '../render/still.js';
import { applyOverrides, INPUT_LIMITS, loadScene, loadSceneText, parseSceneText, representativeTime, validateSceneData, type SceneFile } from '../scene/index.js';
import { breed, rewriteSceneText, type Variation } from '../scene/explore/index.js';

export interface ExploreOptions {
  count: number;
  strength: number;
  seed: number;
  /** The moment the contact sheet shows (default: as `still` picks). */
  at?: number;
  out: string;
  /** The longest side of each picture on the sheet. */
  cell?: number;
  /** Stops the work between two pictures of the sheet; nothing is left under the final names. */
  signal?: AbortSignal;
}

export interface ExploredVariation extends Variation {
  /** The scene file written. */
  file: string;
}

export interface ExploreResult {
  variations: ExploredVariation[];
  sheet: string;
  at: number;
}

const DEFAULT_CELL = 256;

/** The scene's text, through the one bounded reader: a pipe, a folder or a device is refused in words. */
function readSceneText(path: string): string {
  return readRegularFile(path, `scene file ${path}`, INPUT_LIMITS.sceneFile, 'scene files').toString('utf8');
}

/** The variation as its own file in `out`: its own name, and weights paths that still lead to the same files. */
function relocated(scene: SceneFile, stem: string, from: string, out: string, named: boolean): SceneFile {
  const move = (path: string | undefined): string | undefined => (path === undefined || isAbsolute(path) ? path : relative(out, resolve(from, path)).split('\\').join('/'));
  return {
    ...scene,
    // A name in the file would make every variation render over the original's outputs.
    name: named ? stem : scene.name,
    weights: move(scene.weights),
    keyframes: scene.keyframes.map((k) => (k.weights !== undefined ? { ...k, weights: move(k.weights) } : k)),
  };
}

/** A size whose longer side is `cell` at most (never larger than the scene's). */
function cellSize(scene: SceneFile, cell: number): [number, number] {
  const [w, h] = typeof scene.output.size === 'string' ? scene.output.size.split('x').map(Number) : scene.output.size;
  const scale = Math.min(1, cell / Math.max(w, h));
  return [Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale))];
}

export async function exploreToFolder(scenePath: string, options: ExploreOptions): Promise<ExploreResult> {
  const text = readSceneText(scenePath);
  const { data, source } = parseSceneText(text, scenePath);
  const scene = validateSceneData(data, source);
  // Loading it whole checks its weights files before anything is written.
  const original = loadScene(scenePath);
  const at = options.at ?? representativeTime(scene);
  if (at > scene.output.duration) throw new UserError(words`${option('at')} ${at} is past the end of ${scenePath} (${scene.output.duration} s)`);
  const variations = breed(scene, { count: options.count, strength: options.strength, seed: options.seed });
  if (variations.length === 0) throw new UserError(`${scenePath}: no mutation can change this scene`);

  const stem = basename(scenePath, extname(scenePath));
  const out = resolve(options.out);
  const folder = dirname(resolve(scenePath));
  const files = variations.map((v, i) => join(out, `${stem}-${i + 1}-${v.operator}.yaml`));
  const sheet = join(out, `${stem}-explore.png`);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UserError(words`${option('out')} ${options.out} is a file; explore writes a folder of scene files`);
  const taken = [...files, sheet].filter((f) => existsSync(f));
  if (taken.length > 0) throw new UserError(`${relative(process.cwd(), taken[0]) || taken[0]} exists already; explore writes new files only`, words`pick another ${option('out')} folder, or move the earlier variations away`);
  const texts = variations.map((v, i) => rewriteSceneText(text, relocated(v.scene, basename(files[i], '.yaml'), folder, out, scene.name !== undefined), scenePath));

  const stopIfAsked = (): void => {
    if (options.signal?.aborted) throw options.signal.reason;
  };
  stopIfAsked();
  makeOutputFolder(out);
  const outputs: PendingOutput[] = [];
  try {
    for (const [i, file] of files.entries()) outputs.push(writePendingFile(file, texts[i]));

    // The sheet shows each file as `still` will render it: its text loaded as the scene file at its final name.
    const cell = cellSize(scene, options.cell ?? DEFAULT_CELL);
    const pictures = [];
    const labels: SheetLabel[] = [];
    const shown = [
      { load: () => original, title: `${stem} (as it is)`, detail: scenePath },
      ...files.map((file, i) => ({ load: () => loadSceneText(texts[i], file), title: `${i + 1}. ${variations[i].label}`, detail: basename(file) })),
    ];
    for (const { load, title, detail } of shown) {
      // A picture this small renders on this thread, without a pause: a signal is only heard between two of them.
      await nextTurn();
      stopIfAsked();
      const loaded = load();
      pictures.push(await renderStill(applyOverrides(loaded, { size: cell }), { at, workers: 1, signal: options.signal }));
      labels.push({ title, detail });
    }
    const heading = `${stem}: ${variations.length} variations at ${at} s (strength ${options.strength}, seed ${options.seed})`;
    outputs.push(writePendingFile(sheet, drawContactSheet(heading, labels, pictures, cell)));
    stopIfAsked();
    commitTogether(outputs);
  } catch (error) {
    for (const output of outputs) output.discard();
    throw error;
  }
  return { variations: variations.map((v, i) => ({ ...v, file: files[i] })), sheet, at };
}

/**
 * Renames every output into place; should one rename fail, those already
 * renamed are removed again (they are new files: explore never writes over
 * one), so the folder gets all of them or none.
 */
function commitTogether(outputs: PendingOutput[]): void {
  const done: string[] = [];
  try {
    for (const output of outputs) {
      output.commit();
      done.push(output.finalPath);
    }
  } catch (error) {
    for (const path of done) rmSync(path, { force: true });
    throw error;
  }
}
