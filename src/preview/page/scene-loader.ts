/**
 * A scene as the page sees it: its text and the weights files it names come
 * from the preview server; parsing, validation and the model are the
 * project's own pure modules, so the page's frames are the command line's.
 */
import {
  parseSceneText,
  resolvePath,
  sceneFromFile,
  UserError,
  validateSceneData,
  weightsFromJson,
  type LoadedScene,
  type NetworkWeights,
} from '../../browser/index.js';
import { API, type SceneSource } from './protocol.js';

export async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new UserError(`${url}: the preview server answered ${response.status}`);
  return (await response.json()) as T;
}

/** Reads, validates and models scene `id`; throws SceneError or UserError as the command line would. */
export async function loadSceneFromServer(id: number): Promise<LoadedScene> {
  const source = await fetchJson<SceneSource>(API.scene(id));
  const { data, source: positions } = parseSceneText(source.text, source.file);
  const scene = validateSceneData(data, positions);
  const named = [scene.weights, ...scene.keyframes.map((k) => k.weights)].filter((p): p is string => p !== undefined);
  const library = new Map<string, NetworkWeights>();
  for (const path of new Set(named.map((p) => resolvePath(source.folder, p)))) {
    library.set(path, await fetchWeights(source, path));
  }
  const loaded = sceneFromFile(scene, source.file, source.folder, source.name, library);
  const formatsWritten = (data as { output?: { formats?: unknown } }).output?.formats !== undefined;
  return { ...loaded, formatsWritten };
}

async function fetchWeights(source: SceneSource, path: string): Promise<NetworkWeights> {
  const folder = source.folder.endsWith('/') ? source.folder : `${source.folder}/`;
  if (!path.startsWith(folder)) {
    throw new UserError(`${source.file}: weights file ${path} lies outside the scene's folder; the preview serves only files next to the scene`);
  }
  const response = await fetch(API.file(source.id, path.slice(folder.length)), { cache: 'no-store' });
  if (!response.ok) throw new UserError(`weights file ${path} cannot be read`, 'check the path; it is relative to the scene file');
  let data: unknown;
  try {
    data = JSON.parse(await response.text());
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return weightsFromJson(data, path);
}
