/**
 * Keys that change nothing: a keyframed parameter no layer or input uses
 * (frequency on a tanh network, z without a latent input…), an activation
 * option its activation does not take, and a video whose frames are all the
 * same picture. Each comes back with the key path it is about, so the loader
 * can point at file:line:column.
 */
import { ACTIVATIONS, type ActivationName } from '../core/index.js';
import type { SceneProblem } from '../errors.js';
import { inertReason, PARAMETERS, VALUE_PARAMETERS, type AnimatableName } from './parameters.js';
import type { SceneFile } from './schema.js';
import { frameCountOf, keyframeNetwork, networkKey } from './timeline.js';

type Located = Pick<SceneProblem, 'path' | 'message'>;

const ACTIVATION_OPTIONS = { frequency: 'frequency', slope: 'slope', alpha: 'alpha', r: 'r' } as const;

/** Options written on an activation that the activation never reads. */
function ignoredActivationOptions(scene: SceneFile): Located[] {
  const out: Located[] = [];
  const check = (spec: unknown, path: Array<string | number>): void => {
    if (typeof spec !== 'object' || spec === null) return;
    const written = spec as { name: ActivationName; squash?: string } & Record<string, unknown>;
    const takes = ACTIVATIONS[written.name].params as readonly string[];
    for (const option of Object.keys(ACTIVATION_OPTIONS)) {
      if (written[option] === undefined) continue;
      const used = takes.includes(option) && !(written.name === 'logistic' && option === 'frequency' && written.squash !== 'cos');
      if (!used) {
        const takesText = takes.length > 0 ? `it takes ${takes.join(', ')}${written.name === 'logistic' ? ' (frequency only with squash: cos)' : ''}` : 'it takes no options';
        out.push({ path: [...path, option], message: `${written.name} does not use ${option}, so it changes nothing (${takesText})` });
      }
    }
  };
  const hidden = scene.network.activation;
  if (Array.isArray(hidden)) hidden.forEach((spec, i) => check(spec, ['network', 'activation', i]));
  else check(hidden, ['network', 'activation']);
  check(scene.network.output.activation, ['network', 'output', 'activation']);
  return out;
}

/** Keyframed parameters that nothing in the network or the colouring uses: one warning per parameter, at its first keyframe. */
function inertKeyframes(scene: SceneFile): Located[] {
  const out: Located[] = [];
  for (const { name } of PARAMETERS) {
    const reason = inertReason(name, scene);
    if (reason === undefined) continue;
    const index = scene.keyframes.findIndex((k) => k[name] !== undefined);
    if (index < 0) continue;
    const count = scene.keyframes.filter((k) => k[name] !== undefined).length;
    out.push({ path: ['keyframes', index, name], message: `${count > 1 ? `${count} keyframes set` : 'sets'} ${name}, but ${reason}, so it changes nothing` });
  }
  return out;
}

/** Grid parameters of the scene's own series that nothing uses: every item would be the same picture. */
function inertGrid(scene: SceneFile): Located[] {
  return Object.keys(scene.series?.grid ?? {}).flatMap((name) => {
    const reason = inertReason(name as AnimatableName, scene);
    return reason === undefined ? [] : [{ path: ['series', 'grid', name], message: `varies ${name}, but ${reason}, so every item would be the same picture` }];
  });
}

export function noOpWarnings(scene: SceneFile): Located[] {
  return [...ignoredActivationOptions(scene), ...inertKeyframes(scene), ...inertGrid(scene)];
}

/** What makes the frames of a video differ; empty when they are all the same picture. */
export function motionSources(scene: SceneFile): string[] {
  const sources: string[] = [];
  if (scene.orbit) sources.push('orbit');
  const networks = new Set(scene.keyframes.flatMap((k) => {
    const ref = keyframeNetwork(k);
    return ref ? [networkKey(ref)] : [];
  }));
  if (networks.size > 1) sources.push('network');
  for (const name of VALUE_PARAMETERS) {
    if (inertReason(name, scene) !== undefined) continue;
    const values = new Set(scene.keyframes.flatMap((k) => (k[name] !== undefined ? [JSON.stringify(k[name])] : [])));
    if (values.size > 1) sources.push(name);
  }
  // Without keyframes for it, t runs 0 → 1 over the video.
  if (scene.network.inputs.includes('t') && !scene.keyframes.some((k) => k.t !== undefined) && !sources.includes('t')) sources.push('t');
  return sources;
}

/** The warning for a video whose frames are all the same picture, or undefined (a still is meant to be one picture). */
export function staticVideoWarning(scene: SceneFile): Located | undefined {
  const frames = frameCountOf(scene);
  if (scene.output.kind === 'still' || frames <= 1 || motionSources(scene).length > 0) return undefined;
  return {
    path: scene.keyframes.length > 0 ? ['keyframes'] : [],
    message: `the video never moves: all ${frames} frames are the same picture (no time input t, no orbit, and no keyframes that change anything the network uses); add t to network.inputs, keyframe seed, zoom or rotation, or mark the scene as a picture with output.kind: still`,
  };
}
