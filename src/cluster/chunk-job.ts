/**
 * What a cluster job carries: everything a worker needs without the user's
 * files — the resolved scene, the numbers of every weights file it names,
 * the formats, and the identity of the tool that must do it (version, pixel
 * backend, ffmpeg build) — and one of three tasks:
 * - piece: render frames [range] and code them into a piece of every format
 *   (with the encoding settings decided for the whole video);
 * - item: render and code a whole video (a series item), and its thumbnail;
 * - settings: decide the encoding settings from the video's first frames.
 * A worker trusts none of it: the scene is validated like any scene file,
 * the weights like any weights file, and the hashes are computed again.
 */
import { createHash } from 'node:crypto';
import type { EncodingSettings } from '../encode/encoder.js';
import { checkEncodingSettings } from '../encode/formats/index.js';
import { UserError } from '../errors.js';
import type { NetworkWeights } from '../core/index.js';
import type { FrameRange } from '../render/frame-backend.js';
import { scenePayload } from '../render/scene-payload.js';
import { FORMATS, sceneFromFile, validateSceneData, weightsFromJson, weightsToJson, type Format, type LoadedScene, type WeightsJson } from '../scene/index.js';
import { identityMismatch, versionMismatch, type ServedBackends, type ToolIdentity } from './tool-identity.js';

/** Raised when a job is not one this worker can do; it is never retried. */
export class RejectedJobError extends UserError {
  constructor(reason: string) {
    super(`not a well-formed cluster job: ${reason}`);
    this.name = 'RejectedJobError';
  }
}

/** Raised when a well-formed job was made by another tool than this worker (version, backend, ffmpeg); it is never retried. */
export class MismatchedJobError extends UserError {
  constructor(reason: string) {
    super(`refused: ${reason}`);
    this.name = 'MismatchedJobError';
  }
}

export const JOB_FORMAT = 2;

interface JobBase {
  format: typeof JOB_FORMAT;
  tool: ToolIdentity;
  /** The scene's content hash (scene and weights). */
  sceneHash: string;
  scene: unknown;
  weights: Record<string, WeightsJson>;
  formats: Format[];
}

export interface PieceJobData extends JobBase {
  kind: 'piece';
  /** The store set every piece of this video is filed under (see pieceSet). */
  set: string;
  range: FrameRange;
  settings: EncodingSettings;
}

export interface ItemJobData extends JobBase {
  kind: 'item';
  /** The store set the item is filed under (see itemSet). */
  set: string;
  thumbnail?: { size: [number, number]; at: number };
}

export interface SettingsJobData extends JobBase {
  kind: 'settings';
  /** How many pieces the video is coded in (a GIF's size estimate counts their whole first frames). */
  pieces: number;
}

export type ClusterJobData = PieceJobData | ItemJobData | SettingsJobData;

function hash16(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/** The set a video's pieces are filed under: everything that changes their bytes, so a stale piece never stands in for another. */
export function pieceSet(sceneHash: string, tool: ToolIdentity, formats: readonly Format[], settings: EncodingSettings): string {
  return hash16('pieces', sceneHash, tool, formats, settings);
}

export function itemSet(sceneHash: string, tool: ToolIdentity, formats: readonly Format[], thumbnail: ItemJobData['thumbnail']): string {
  return hash16('item', sceneHash, tool, formats, thumbnail ?? null);
}

/** Where a piece lives in the store. */
export function pieceKey(set: string, range: FrameRange): string {
  return `${set}/${range.start}-${range.end}`;
}

export const ITEM_NAME = 'item';

function base(loaded: LoadedScene, formats: Format[], tool: ToolIdentity): JobBase {
  const weights: Record<string, WeightsJson> = {};
  for (const [path, network] of loaded.library) weights[path] = weightsToJson(network);
  return { format: JOB_FORMAT, tool, sceneHash: scenePayload(loaded).key, scene: loaded.scene, weights, formats };
}

export function pieceJob(loaded: LoadedScene, range: FrameRange, formats: Format[], settings: EncodingSettings, tool: ToolIdentity): PieceJobData {
  const job = base(loaded, formats, tool);
  return { ...job, kind: 'piece', set: pieceSet(job.sceneHash, tool, formats, settings), range, settings };
}

export function itemJob(loaded: LoadedScene, formats: Format[], tool: ToolIdentity, thumbnail?: ItemJobData['thumbnail']): ItemJobData {
  const job = base(loaded, formats, tool);
  return { ...job, kind: 'item', set: itemSet(job.sceneHash, tool, formats, thumbnail), thumbnail };
}

export function settingsJob(loaded: LoadedScene, formats: Format[], tool: ToolIdentity, pieces: number): SettingsJobData {
  return { ...base(loaded, formats, tool), kind: 'settings', pieces };
}

/** A job as the worker accepts it: its scene rebuilt and checked. */
export type AcceptedJob =
  | { kind: 'piece'; data: PieceJobData; loaded: LoadedScene; key: string }
  | { kind: 'item'; data: ItemJobData; loaded: LoadedScene; key: string }
  | { kind: 'settings'; data: SettingsJobData; loaded: LoadedScene };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function checkTool(value: unknown): ToolIdentity {
  if (!isRecord(value) || typeof value.version !== 'string' || typeof value.backend !== 'string' || (value.ffmpeg !== undefined && typeof value.ffmpeg !== 'string')) {
    throw new RejectedJobError('tool is not {version, backend, ffmpeg}');
  }
  return { version: value.version, backend: value.backend as ToolIdentity['backend'], ffmpeg: value.ffmpeg as string | undefined };
}

/**
 * Checks a job taken from the queue and rebuilds its scene. Throws
 * RejectedJobError when it is not well-formed, MismatchedJobError when it
 * was made for another version, backend or ffmpeg than this worker's
 * (`served`: the backends it renders with, and the queue the job came from).
 */
export function acceptClusterJob(data: unknown, served: ServedBackends): AcceptedJob {
  if (!isRecord(data)) throw new RejectedJobError('the job data is not an object');
  if (typeof data.unreadable === 'string') throw new RejectedJobError(data.unreadable);
  if (data.format !== JOB_FORMAT) throw new MismatchedJobError(`the job is of format ${String(data.format)}, this worker reads format ${JOB_FORMAT}; run the same cppn-motion version on the coordinator and every worker`);
  const tool = checkTool(data.tool);
  // Another version may carry what this one cannot read: say so before anything else.
  const otherVersion = versionMismatch(tool);
  if (otherVersion) throw new MismatchedJobError(otherVersion);
  const { sceneHash, weights, formats, kind } = data;
  if (kind !== 'piece' && kind !== 'item' && kind !== 'settings') throw new RejectedJobError('kind is not piece, item or settings');
  if (typeof sceneHash !== 'string' || !/^[0-9a-f]{16}$/.test(sceneHash)) throw new RejectedJobError('sceneHash is not 16 hexadecimal digits');
  if (!Array.isArray(formats) || formats.length === 0 || formats.some((f) => !(FORMATS as readonly unknown[]).includes(f)) || new Set(formats).size !== formats.length) {
    throw new RejectedJobError(`formats is not a list of distinct formats among ${FORMATS.join(', ')}`);
  }
  if (!isRecord(weights)) throw new RejectedJobError('weights is not an object');
  // Well-formed: now whether this worker is the one to do it.
  const mismatch = identityMismatch(tool, formats as Format[], served);
  if (mismatch) throw new MismatchedJobError(mismatch);
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
        known.set(path, weightsFromJson(weights[path] as WeightsJson, path));
      } catch (error) {
        throw new RejectedJobError((error as Error).message);
      }
    }
  }
  let loaded: LoadedScene;
  try {
    loaded = sceneFromFile(scene, 'cluster job', '/', 'scene', known);
  } catch (error) {
    throw new RejectedJobError((error as Error).message);
  }
  const hash = scenePayload(loaded).key;
  if (hash !== sceneHash) throw new RejectedJobError(`its scene hashes to ${hash}, not the ${sceneHash} it claims`);
  const checked = { format: JOB_FORMAT, tool, sceneHash, scene: data.scene, weights: weights as Record<string, WeightsJson>, formats: formats as Format[] } as const;
  if (kind === 'settings') {
    if (!Number.isSafeInteger(data.pieces) || (data.pieces as number) < 1) throw new RejectedJobError('pieces is not a whole number of at least 1');
    return { kind, loaded, data: { ...checked, kind, pieces: data.pieces as number } };
  }
  if (kind === 'piece') {
    const { range } = data;
    if (!isRecord(range) || !Number.isSafeInteger(range.start) || !Number.isSafeInteger(range.end)) throw new RejectedJobError('range is not {start, end} whole numbers');
    const { start, end } = range as unknown as FrameRange;
    const frames = loaded.model.timeline.frameCount;
    if (!(start >= 0 && start < end && end <= frames)) throw new RejectedJobError(`frames ${start}–${end} are not within the scene's ${frames} frames`);
    let settings: EncodingSettings;
    try {
      settings = checkEncodingSettings(data.settings, checked.formats);
    } catch (error) {
      throw new RejectedJobError((error as Error).message);
    }
    const set = pieceSet(sceneHash, tool, checked.formats, settings);
    if (set !== data.set) throw new RejectedJobError(`its pieces belong to set ${set}, not the ${String(data.set)} it claims`);
    return { kind, loaded, key: pieceKey(set, { start, end }), data: { ...checked, kind, set, range: { start, end }, settings } };
  }
  const thumbnail = data.thumbnail;
  if (thumbnail !== undefined) {
    const valid = isRecord(thumbnail) && Array.isArray(thumbnail.size) && thumbnail.size.length === 2 && thumbnail.size.every((n) => Number.isInteger(n) && n >= 1 && n <= 4096) && typeof thumbnail.at === 'number' && thumbnail.at >= 0;
    if (!valid) throw new RejectedJobError('thumbnail is not {size: [w, h], at: seconds}');
  }
  const checkedThumbnail = thumbnail as ItemJobData['thumbnail'];
  const set = itemSet(sceneHash, tool, checked.formats, checkedThumbnail);
  if (set !== data.set) throw new RejectedJobError(`it belongs to set ${set}, not the ${String(data.set)} it claims`);
  return { kind, loaded, key: `${set}/${ITEM_NAME}`, data: { ...checked, kind, set, thumbnail: checkedThumbnail } };
}
