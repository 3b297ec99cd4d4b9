/**
 * The inputs of a command, named to the input guard (see
 * files/input-guard.ts) as soon as they are read, so that no output of the
 * same command replaces them.
 */
import { protectInput } from '../files/index.js';
import type { LoadedScene } from '../scene/index.js';
import { flagWord } from '../scene/options/index.js';

/** The scene file or `--from` file a scene came from, and every weights file it reads. */
export function protectSceneInputs(loaded: LoadedScene, source: { scene?: string; from?: string }): void {
  if (source.scene !== undefined) protectInput(source.scene, 'the scene file');
  if (source.from !== undefined) protectInput(source.from, `the ${flagWord('from')} file`);
  for (const path of loaded.library.keys()) protectInput(path, 'a weights file the scene reads');
}

export { protectInput, refuseReplacingInputs } from '../files/index.js';
