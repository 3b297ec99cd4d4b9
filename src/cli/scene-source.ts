/** Where a command's scene comes from: a scene file, or the metadata of an earlier output (--from). */
import { readSceneMetadata } from '../encode/metadata.js';
import { UserError } from '../errors.js';
import { applyOverrides, loadScene, sceneFromJson, type LoadedScene, type SceneOverrides } from '../scene/index.js';
import { protectSceneInputs } from './inputs.js';
import type { Reporter } from './report.js';

export async function sceneFromArguments(scenePath: string | undefined, from: string | undefined, overrides: SceneOverrides, report: Reporter): Promise<LoadedScene> {
  if (scenePath !== undefined && from !== undefined) throw new UserError('give a scene file or --from FILE, not both');
  if (scenePath === undefined && from === undefined) throw new UserError('which scene? give a scene file (e.g. scenes/drift.yaml) or --from an earlier output');
  const loaded = scenePath !== undefined ? loadScene(scenePath) : sceneFromJson(await readSceneMetadata(from!), from!);
  protectSceneInputs(loaded, { scene: scenePath, from });
  for (const warning of loaded.warnings) report.warn(warning);
  // Another seed is another picture: it gets its own name (stored in the outputs,
  // so a later --from keeps it), and never overwrites the scene's own outputs.
  const name = overrides.seed !== undefined ? `${loaded.model.name.replace(/-seed--?\d+$/, '')}-seed-${overrides.seed}` : undefined;
  return applyOverrides(loaded, { ...overrides, name });
}
