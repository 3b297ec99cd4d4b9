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
  type SceneFile,
} from '../../browser/index.js';
import { API, type SceneSource, type SceneWrite, type SceneWritten } from './protocol.js';

export async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new UserError(`${url}: the preview server answered ${response.status}`);
  return (await response.json()) as T;
}

export interface SceneFromServer {
  loaded: LoadedScene;
  source: SceneSource;
  /** The scene as the file writes it (relative paths kept), for editing. */
  written: SceneFile;
  library: Map<string, NetworkWeights>;
}

/** Reads, validates and models scene `id`; throws SceneError or UserError as the command line would. */
export async function loadSceneFromServer(id: number): Promise<SceneFromServer> {
  const source = await fetchJson<SceneSource>(API.scene(id));
  const { data, source: positions } = parseSceneText(source.text, source.file);
  const written = validateSceneData(data, positions);
  const named = [written.weights, ...written.keyframes.map((k) => k.weights)].filter((p): p is string => p !== undefined);
  const library = new Map<string, NetworkWeights>();
  for (const path of new Set(named.map((p) => resolvePath(source.folder, p)))) {
    library.set(path, await fetchWeights(source, path));
  }
  const loaded = sceneFromFile(written, source.file, source.folder, source.name, library);
  const formatsWritten = (data as { output?: { formats?: unknown } }).output?.formats !== undefined;
  return { loaded: { ...loaded, formatsWritten }, source, written, library };
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

/** What the server said to a write: the new version, or why not (status 409: the file changed on disk). */
export type WriteResult = { ok: true; version: string } | { ok: false; status: number; error: string };

/** Writes the scene file's new text over the version the page loaded. */
export async function writeSceneToServer(id: number, write: SceneWrite): Promise<WriteResult> {
  let response: Response;
  try {
    response = await fetch(API.scene(id), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(write), cache: 'no-store' });
  } catch (error) {
    return { ok: false, status: 0, error: `the preview server cannot be reached (${(error as Error).message}); is \`cppn-motion preview\` still running?` };
  }
  const text = await response.text();
  if (response.ok) return { ok: true, version: (JSON.parse(text) as SceneWritten).version };
  let error = text.trim();
  try {
    error = (JSON.parse(text) as { error: string }).error;
  } catch {
    // A plain-text refusal (403, 404): shown as it came.
  }
  return { ok: false, status: response.status, error };
}
