/**
 * Overrides of scene keys (the options size, fps, duration, seed, formats,
 * antialias and gifMaxBytes: on the command line --size, --fps…). The
 * result is validated again, so limits hold whatever the source.
 */
import { SceneError, UserError } from '../errors.js';
import { optionOfSceneKey, type TableKey } from './options/table.js';
import { sceneFromFile, validateSceneData, type LoadedScene } from './load.js';
import type { Format } from './output-formats.js';
import { keyframeSeconds } from './keyframe-time.js';
import type { SceneFile } from './schema.js';

export interface SceneOverrides {
  size?: [number, number];
  fps?: number;
  /** A new length; keyframe times stretch with it, so the trajectory stays the same. */
  duration?: number;
  /** Replaces the scene's seed; keyframe and orbit seeds move by the same amount. */
  seed?: number;
  formats?: Format[];
  /** Samples per pixel side (output.antialias). */
  antialias?: number;
  /** A new name for the outputs (and for the scene stored in them). */
  name?: string;
  /** A size budget for the GIF (output.gif.maxBytes), e.g. "5MB". */
  gifMaxBytes?: string;
}

/** Whether any network of the scene comes from a seed (rather than from weights files). */
export function usesSeeds(scene: SceneFile): boolean {
  if (scene.orbit || scene.keyframes.some((k) => k.seed !== undefined)) return true;
  return scene.weights === undefined && !scene.keyframes.some((k) => k.weights !== undefined);
}

/** The scene file with the overrides applied (not yet validated). */
export function overrideScene(scene: SceneFile, o: SceneOverrides): SceneFile {
  if (o.seed !== undefined && !usesSeeds(scene)) {
    throw new UserError(`${scene.name ?? 'this scene'} takes its networks from weights files, so a seed changes nothing; give a scene with seeds`);
  }
  const shift = o.seed !== undefined ? o.seed - scene.seed : 0;
  // A new duration stretches the whole trajectory: keyframes keep their place in it.
  // Keyframes written as frame numbers become seconds first, so a new fps does not move them.
  const stretch = o.duration !== undefined ? o.duration / scene.output.duration : 1;
  const retime = (k: SceneFile['keyframes'][number]): SceneFile['keyframes'][number] => {
    if (stretch === 1 && (o.fps === undefined || k.frame === undefined)) return k;
    const { frame: _frame, ...rest } = k;
    return { ...rest, at: keyframeSeconds(k, scene.output.fps) * stretch };
  };
  return {
    ...scene,
    name: o.name ?? scene.name,
    seed: o.seed ?? scene.seed,
    orbit: scene.orbit && { ...scene.orbit, seeds: [scene.orbit.seeds[0] + shift, scene.orbit.seeds[1] + shift] },
    output: {
      ...scene.output,
      size: o.size ?? scene.output.size,
      fps: o.fps ?? scene.output.fps,
      duration: o.duration ?? scene.output.duration,
      formats: o.formats ?? scene.output.formats,
      antialias: o.antialias ?? scene.output.antialias,
      gif: o.gifMaxBytes !== undefined ? { ...scene.output.gif, maxBytes: o.gifMaxBytes } : scene.output.gif,
    },
    keyframes: scene.keyframes.map((k) => retime(k.seed !== undefined ? { ...k, seed: k.seed + shift } : k)),
  };
}

/** The override given in `o` that set the scene key at `path` (or one of its parents), if one did. */
function overrideAt(path: ReadonlyArray<string | number>, o: SceneOverrides): TableKey | undefined {
  for (let length = path.length; length > 0; length--) {
    const key = optionOfSceneKey(path.slice(0, length).join('.'));
    if (key !== undefined) return (o as Partial<Record<TableKey, unknown>>)[key] !== undefined ? key : undefined;
  }
  return undefined;
}

export function applyOverrides(loaded: LoadedScene, o: SceneOverrides): LoadedScene {
  if (Object.values(o).every((v) => v === undefined)) return loaded;
  let scene: SceneFile;
  try {
    scene = validateSceneData(overrideScene(loaded.scene, o));
  } catch (error) {
    if (error instanceof SceneError) {
      // Name the override when the problem comes from one.
      const flagged = error.problems.map((p) => {
        const given = overrideAt(p.path, o);
        return { ...p, file: loaded.origin, ...(given ? { option: given } : {}) };
      });
      throw new SceneError(flagged);
    }
    throw error;
  }
  // The warnings keep the scene file's line numbers: overrides do not change what a key does.
  return { ...sceneFromFile(scene, loaded.origin, '/', scene.name!, loaded.library), warnings: loaded.warnings, motionWarning: loaded.motionWarning };
}
