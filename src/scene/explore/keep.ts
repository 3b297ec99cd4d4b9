/**
 * What the preview's Keep and Keyframe here write: pure functions from the
 * scene on disk, the scene on the page (a variation, perhaps) and the
 * values set by hand, to the scene to write. Both give plain scenes; the
 * page shows exactly what they describe.
 *
 * - Keep: the page's scene, with each value set by hand written where it
 *   lives (view.zoom, colour.hue…), or as a keyframe at the moment shown
 *   when keyframes animate it (or it lives nowhere else, like frequency).
 * - Keyframe here: the scene on disk, with one keyframe at the moment shown
 *   holding every value that differs there (the network's pose included).
 *   A value no keyframe animated before keeps its old value at every other
 *   keyframe, so only this moment changes. Changes that cannot vary over
 *   time (layers, activations, inputs, palette) are written as Keep would.
 */
import { UserError } from '../../errors.js';
import { networkMixAt, parameterValuesAt, type ParameterOverrides, type ParameterValues } from '../frames.js';
import { keyframeSeconds } from '../keyframe-time.js';
import { validateSceneData } from '../load.js';
import { buildModel } from '../model.js';
import type { Nudge } from '../nudge.js';
import { parameter, PARAMETERS, type NumberParameter, type ValueParameter } from '../parameters.js';
import type { KeyframeFile, SceneFile } from '../schema.js';
import { networkKey, type NetworkMix, type NetworkRef } from '../timeline.js';
import { sameData } from './scene-edits.js';

type Keyframe = KeyframeFile;

const VALUE_PARAMETERS = PARAMETERS.filter((p) => p.kind !== 'network').map((p) => p.name as ValueParameter);

/** Keyframe times are written to the millisecond. */
export function keyframeTime(time: number): number {
  return Number(time.toFixed(3));
}

/** A blend's progress written into a nudge: six decimals keep the pose to well under a pixel's step. */
const amountOf = (u: number): number => Number(u.toFixed(6));

function valueOf(values: ParameterValues, name: ValueParameter): number | readonly number[] {
  if (name === 'center') return values.center;
  if (name === 'z') return values.z;
  return values.numbers[name as NumberParameter];
}

function animated(scene: SceneFile, name: ValueParameter): boolean {
  return scene.keyframes.some((k) => k[name] !== undefined);
}

function setHome(scene: SceneFile, name: ValueParameter, value: unknown): SceneFile {
  const home = parameter(name).home;
  if (!home) throw new Error(`${name} has no home in the scene`);
  const copy = structuredClone(scene) as unknown as Record<string, Record<string, unknown>>;
  if (home.length === 1) (copy as Record<string, unknown>)[home[0]] = value;
  else copy[home[0]] = { ...copy[home[0]], [home[1]]: value };
  return copy as unknown as SceneFile;
}

/** The index of the keyframe within half a frame of `time`, or -1. */
function keyframeNear(scene: SceneFile, time: number): number {
  const fps = scene.output.fps;
  return scene.keyframes.findIndex((k) => Math.abs(keyframeSeconds(k, fps) - time) < 0.5 / fps);
}

/** The scene with `values` set on the keyframe at `time` (made, in time order, when there is none). */
function withKeyframe(scene: SceneFile, time: number, values: Partial<Keyframe>, drop: ReadonlyArray<keyof Keyframe> = []): SceneFile {
  const keyframes = [...scene.keyframes];
  const index = keyframeNear(scene, time);
  if (index >= 0) {
    const updated: Record<string, unknown> = { ...keyframes[index], ...values };
    for (const key of drop) delete updated[key];
    keyframes[index] = updated as Keyframe;
  } else {
    const at = keyframeTime(time);
    const position = keyframes.filter((k) => keyframeSeconds(k, scene.output.fps) < at).length;
    keyframes.splice(position, 0, { at, ...values } as Keyframe);
  }
  return { ...scene, keyframes };
}

function checked(scene: SceneFile, what: string): SceneFile {
  try {
    return validateSceneData(scene);
  } catch (error) {
    const first = (error as { problems?: Array<{ path: Array<string | number>; message: string }> }).problems?.[0];
    throw new UserError(`${what} would not be a valid scene${first ? ` (${first.path.join('.')}: ${first.message})` : ''}`, 'Keep the whole scene instead, or change the file by hand');
  }
}

/** Keep: the page's scene with the values set by hand written in. `time` is on the trajectory (unpaced). */
export function keepScene(working: SceneFile, overrides: ParameterOverrides, time: number): SceneFile {
  let scene = working;
  for (const name of VALUE_PARAMETERS) {
    const value = overrides[name as keyof ParameterOverrides];
    if (value === undefined) continue;
    scene = animated(scene, name) || !parameter(name).home ? withKeyframe(scene, time, { [name]: value }) : setHome(scene, name, value);
  }
  return checked(scene, 'keeping these values');
}

/** A network ref as keyframe keys (seed or weights, and its nudge). */
function refKeys(ref: NetworkRef): { keys: Partial<Keyframe>; drop: Array<keyof Keyframe> } {
  const nudge = ref.nudge && ref.nudge.length > 0 ? { nudge: ref.nudge as Nudge[] } : {};
  const drop: Array<keyof Keyframe> = ref.nudge && ref.nudge.length > 0 ? [] : ['nudge'];
  return ref.kind === 'seed' ? { keys: { seed: ref.seed, ...nudge }, drop: [...drop, 'weights'] } : { keys: { weights: ref.path, ...nudge }, drop: [...drop, 'seed'] };
}

/**
 * The network of a moment as one ref: a blend of A and B at u is A nudged
 * toward B by u (the nudge mixes with the same coefficients), B's own nudges
 * kept on the target. Undefined when it cannot be written so.
 */
function poseOf(mix: NetworkMix): NetworkRef | undefined {
  if (mix.kind === 'orbit') return undefined;
  const { a, b, u } = mix;
  if (u === 0 || networkKey(a) === networkKey(b)) return a;
  if (u === 1) return b;
  if (b.kind !== 'seed' || !(u > 0 && u < 1)) return undefined;
  const step: Nudge = { seed: b.seed, amount: amountOf(u), ...(b.nudge ? { nudge: b.nudge } : {}) };
  return { ...a, nudge: [...(a.nudge ?? []), step] };
}

/**
 * Keyframe here: the scene on disk with a keyframe at `time` (on the
 * trajectory, unpaced) holding what differs there between `working` (with
 * `overrides`) and the disk's animation.
 */
export function keyframeHere(disk: SceneFile, working: SceneFile, overrides: ParameterOverrides, time: number): SceneFile {
  // The working scene's structure, the disk's animation.
  let scene: SceneFile = { ...working, seed: disk.seed, weights: disk.weights, nudge: disk.nudge, orbit: disk.orbit, keyframes: disk.keyframes };
  for (const name of VALUE_PARAMETERS) {
    const home = parameter(name).home;
    if (home) scene = setHome(scene, name, home.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], disk));
  }
  scene = checked(scene, 'this variation\'s layers with the keyframes on disk');
  const name = working.name ?? 'scene';
  const wanted = buildModel(working, name);
  const before = buildModel(scene, name);
  const want = parameterValuesAt(wanted, time, overrides);
  const have = parameterValuesAt(before, time);
  const keys: Partial<Keyframe> = {};
  const anchors: ValueParameter[] = [];
  for (const p of VALUE_PARAMETERS) {
    const [w, h] = [valueOf(want, p), valueOf(have, p)];
    if (sameData(w, h)) continue;
    (keys as Record<string, unknown>)[p] = w;
    if (!animated(scene, p)) anchors.push(p);
  }
  let drop: Array<keyof Keyframe> = [];
  const [wantMix, haveMix] = [networkMixAt(wanted, time), networkMixAt(before, time)];
  const changedNetwork = JSON.stringify(wantMix) !== JSON.stringify(haveMix);
  if (changedNetwork) {
    if (working.orbit || disk.orbit) throw new UserError('an orbit drives the weights, so a keyframe cannot set the network here', 'Keep the whole scene instead');
    const pose = poseOf(wantMix);
    if (!pose) throw new UserError('the network here is a blend that one keyframe cannot hold (toward a weights file, or eased beyond its ends)', 'move to a keyframe mark, or Keep the whole scene');
    const ref = refKeys(pose);
    Object.assign(keys, ref.keys);
    drop = ref.drop;
  }
  if (Object.keys(keys).length === 0) throw new UserError('nothing differs here from the scene on disk', 'drag a slider or pick a variation first');
  // Anchors: a value (or the network) no keyframe set keeps its old value at every other keyframe.
  const fps = scene.output.fps;
  const others = scene.keyframes.filter((k) => Math.abs(keyframeSeconds(k, fps) - time) >= 0.5 / fps);
  const networkAnchor = changedNetwork && !scene.keyframes.some((k) => k.seed !== undefined || k.weights !== undefined) ? refKeys(before.baseNetwork) : undefined;
  const anchorAt = (at: number): Partial<Keyframe> => {
    const values = parameterValuesAt(before, at);
    return Object.fromEntries(anchors.map((p) => [p, valueOf(values, p)])) as Partial<Keyframe>;
  };
  const anchored = scene.keyframes.map((k) => {
    if (!others.includes(k) || (anchors.length === 0 && !networkAnchor)) return k;
    return { ...k, ...anchorAt(keyframeSeconds(k, fps)), ...(networkAnchor?.keys ?? {}) } as Keyframe;
  });
  scene = { ...scene, keyframes: anchored };
  if (others.length === 0 && keyframeTime(time) > 0 && (anchors.length > 0 || networkAnchor)) {
    scene = withKeyframe(scene, 0, { ...anchorAt(0), ...(networkAnchor?.keys ?? {}) });
  }
  return checked(withKeyframe(scene, time, keys, drop), 'this keyframe');
}
