/**
 * What a chunk job carries: everything a worker needs to render frames
 * start..end of a scene without the user's files — the resolved scene, the
 * numbers of every weights file it names, and the scene's content hash. A
 * worker trusts none of it: the scene is validated like any scene file, the
 * weights like any weights file, and the hash is computed again.
 */
import { UserError } from '../errors.js';
import type { FrameRange } from '../render/frame-backend.js';
import { scenePayload } from '../render/scene-payload.js';
import { sceneFromFile, validateSceneData, weightsFromJson, weightsToJson, type LoadedScene, type WeightsJson } from '../scene/index.js';
import type { NetworkWeights } from '../core/index.js';

/** Raised when a job is not one a worker can render; it is never retried. */
export class RejectedJobError extends UserError {
  constructor(reason: string) {
    super(`not a well-formed chunk job: ${reason}`);
    this.name = 'RejectedJobError';
  }
}

export const JOB_FORMAT = 1;

export interface ChunkJob {
  format: typeof JOB_FORMAT;
  /** The scene's content hash (scene and weights): chunk files are filed under it. */
  sceneHash: string;
  scene: unknown;
  weights: Record<string, WeightsJson>;
  range: FrameRange;
}

/** Where a chunk lives in the store: its scene's hash and its frame range, so a stale chunk never stands in for another. */
export function chunkKey(sceneHash: string, range: FrameRange): string {
  return `${sceneHash}/${range.start}-${range.end}`;
}

export function chunkJob(loaded: LoadedScene, range: FrameRange): ChunkJob {
  const weights: Record<string, WeightsJson> = {};
  for (const [path, network] of loaded.library) weights[path] = weightsToJson(network);
  return { format: JOB_FORMAT, sceneHash: scenePayload(loaded).key, scene: loaded.scene, weights, range };
}

export interface AcceptedJob {
  loaded: LoadedScene;
  range: FrameRange;
  key: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a job taken from the queue and rebuilds its scene; throws RejectedJobError when it is not well-formed. */
export function acceptChunkJob(data: unknown): AcceptedJob {
  if (!isRecord(data)) throw new RejectedJobError('the job data is not an object');
  if (data.format !== JOB_FORMAT) throw new RejectedJobError(`job format ${String(data.format)}; this worker reads format ${JOB_FORMAT} (run the same cppn-motion version everywhere)`);
  const { sceneHash, range, weights } = data;
  if (typeof sceneHash !== 'string' || !/^[0-9a-f]{16}$/.test(sceneHash)) throw new RejectedJobError('sceneHash is not 16 hexadecimal digits');
  if (!isRecord(range) || !Number.isSafeInteger(range.start) || !Number.isSafeInteger(range.end)) throw new RejectedJobError('range is not {start, end} whole numbers');
  if (!isRecord(weights)) throw new RejectedJobError('weights is not an object');
  let scene;
  try {
    scene = validateSceneData(data.scene);
  } catch (error) {
    throw new RejectedJobError(`its scene is not valid: ${(error as Error).message}`);
  }
  // Every weights file the scene names must travel with the job: a worker never reads the user's files.
  const named = [scene.weights, ...scene.keyframes.map((k) => k.weights)].filter((p): p is string => p !== undefined);
  const known = new Map<string, NetworkWeights>();
  for (const path of named) {
    if (!(path in weights)) throw new RejectedJobError(`the scene names weights ${path}, which the job does not carry`);
    if (!known.has(path)) {
      try {
        known.set(path, weightsFromJson(weights[path], path));
      } catch (error) {
        throw new RejectedJobError((error as Error).message);
      }
    }
  }
  let loaded: LoadedScene;
  try {
    loaded = sceneFromFile(scene, 'chunk job', '/', 'scene', known);
  } catch (error) {
    throw new RejectedJobError((error as Error).message);
  }
  const { start, end } = range as unknown as FrameRange;
  const frames = loaded.model.timeline.frameCount;
  if (!(start >= 0 && start < end && end <= frames)) throw new RejectedJobError(`frames ${start}–${end} are not within the scene's ${frames} frames`);
  const hash = scenePayload(loaded).key;
  if (hash !== sceneHash) throw new RejectedJobError(`its scene hashes to ${hash}, not the ${sceneHash} it claims`);
  return { loaded, range: { start, end }, key: chunkKey(sceneHash, { start, end }) };
}
