/** Where a command's scene comes from: a scene file, or the metadata of an earlier output (--from). */
import { readSceneMetadata } from '../encode/metadata.js';
import { option, UserError, words } from '../errors.js';
import { applyOverrides, isStillScene, loadScene, sceneFromJson, type LoadedScene, type SceneOverrides } from '../scene/index.js';
import { storedGifBudget } from './from-source.js';
import { protectSceneInputs } from './inputs.js';
import type { Reporter } from './report.js';

export interface SceneSourceOptions {
  /** The command writes videos: a GIF size budget stored in the --from source is carried over (see storedGifBudget). */
  video?: boolean;
}

export async function sceneFromArguments(scenePath: string | undefined, from: string | undefined, overrides: SceneOverrides, report: Reporter, options: SceneSourceOptions = {}): Promise<LoadedScene> {
  if (scenePath !== undefined && from !== undefined) throw new UserError(words`give a scene file or ${option('from')} FILE, not both`);
  if (scenePath === undefined && from === undefined) throw new UserError(words`which scene? give a scene file (e.g. scenes/drift.yaml) or ${option('from')} an earlier output`);
  const loaded = scenePath !== undefined ? loadScene(scenePath) : sceneFromJson(await readSceneMetadata(from!), from!);
  protectSceneInputs(loaded, { scene: scenePath, from });
  for (const warning of loaded.warnings) report.warn(warning);
  // Another seed is another picture: it gets its own name (stored in the outputs,
  // so a later --from keeps it), and never overwrites the scene's own outputs.
  const name = overrides.seed !== undefined ? `${loaded.model.name.replace(/-seed--?\d+$/, '')}-seed-${overrides.seed}` : undefined;
  const result = applyOverrides(loaded, { ...overrides, name });
  // A budget given on this command line is the user's word; one stored in the source was for that output.
  const budget = options.video && from !== undefined && overrides.gifMaxBytes === undefined && !isStillScene(result.scene) ? storedGifBudget(loaded, result, from) : undefined;
  if (!budget) return result;
  report.info(budget.note);
  return budget.bytes === undefined ? result : applyOverrides(loaded, { ...overrides, name, gifMaxBytes: String(budget.bytes) });
}
