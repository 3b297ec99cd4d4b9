/**
 * The preview's one write: a scene file's new text, from the page's Keep and
 * Keyframe here. Only a scene file the preview serves, still where it was
 * found; only text that loads as a scene (schema, weights files and all);
 * only over the version the page loaded (its content hash), so an edit made
 * on disk meanwhile is never overwritten; written atomically, keeping the
 * file's permissions.
 */
import { chmodSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { writeFileAtomic } from '../files/index.js';
import { formatProblem, SceneError, UserError } from '../errors.js';
import { parseSceneText, readWeightsFile, SCENE_FILE_LIMIT, sceneFromFile, validateSceneData } from '../scene/index.js';
import type { SceneWrite, SceneWritten } from './page/protocol.js';
import { contentVersion, stillInPlace, type PreviewScene } from './scene-files.js';

export interface WriteAnswer {
  status: number;
  body: SceneWritten | { error: string; version?: string };
}

/**
 * A body past the limit is read on and thrown away, up to this many times the
 * limit, so the sender sees the 413 rather than a connection cut while it was
 * still sending; past that the connection is cut.
 */
const DISCARD_FACTOR = 8;

/**
 * Reads a request body; undefined for one larger than `limit` bytes, answered
 * as soon as it is known to be too large (the rest is discarded).
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      done(undefined);
      if (size > limit * DISCARD_FACTOR) request.destroy();
    });
    request.on('end', () => done(size > limit ? undefined : Buffer.concat(chunks)));
    request.on('error', fail);
  });
}

function parseWrite(body: Buffer): SceneWrite | undefined {
  let data: unknown;
  try {
    data = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const write = data as Partial<SceneWrite>;
  return typeof write?.text === 'string' && typeof write.version === 'string' ? { text: write.text, version: write.version } : undefined;
}

/** Loads the text as `validate` would (weights files included): the problems as text, or undefined when it is a scene. */
function sceneProblems(scene: PreviewScene, text: string): string | undefined {
  try {
    const { data, source } = parseSceneText(text, scene.file);
    sceneFromFile(validateSceneData(data, source), scene.file, scene.folder, scene.name, new Map(), readWeightsFile);
    return undefined;
  } catch (error) {
    if (error instanceof SceneError) return error.problems.map(formatProblem).join('\n');
    if (error instanceof UserError) return error.message;
    throw error;
  }
}

export async function writeScene(scene: PreviewScene, request: IncomingMessage): Promise<WriteAnswer> {
  const body = await readBody(request, SCENE_FILE_LIMIT * 2);
  if (!body) return { status: 413, body: { error: `the scene is too large; scene files may be at most ${SCENE_FILE_LIMIT / 1024 / 1024} MB` } };
  const write = parseWrite(body);
  if (!write) return { status: 400, body: { error: 'a write is JSON: { "text": the scene, "version": the version the page loaded }' } };
  if (!stillInPlace(scene)) return { status: 404, body: { error: `${scene.file} is no longer the file this preview serves` } };
  const problems = sceneProblems(scene, write.text);
  if (problems) return { status: 422, body: { error: `not written: the scene would not load\n${problems}` } };
  const current = readFileSync(scene.path);
  const version = contentVersion(current);
  if (version !== write.version) {
    return { status: 409, body: { error: `${scene.file} changed on disk since the page loaded it; nothing was written. Reload to see the file as it is now.`, version } };
  }
  const mode = statSync(scene.path).mode & 0o7777;
  writeFileAtomic(scene.path, write.text);
  chmodSync(scene.path, mode);
  return { status: 200, body: { version: contentVersion(write.text) } };
}
