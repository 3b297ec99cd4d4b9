/**
 * Warns when a looping scene would jump at the seam: a parameter keyframed
 * both at 0 s and at the very end with values that differ (the loop closes
 * on its own when the last keyframe comes earlier; see timeline.ts).
 */
import { parameter, VALUE_PARAMETERS } from './parameters.js';
import { keyframeSeconds } from './keyframe-time.js';
import type { SceneFile } from './schema.js';
import { keyframeNetwork, networkKey } from './timeline.js';

const EPSILON = 1e-9;

function same(a: unknown, b: unknown, period: number | undefined): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (period === undefined) return a === b;
    const turns = (a - b) / period;
    return Math.abs(turns - Math.round(turns)) < 1e-9;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

export function loopSeamWarnings(scene: SceneFile): string[] {
  if (scene.loop !== true) return [];
  const warnings: string[] = [];
  if (scene.network.inputs.includes('t') && scene.network.time.mode === 'linear' && !scene.keyframes.some((k) => k.t !== undefined)) {
    warnings.push('loop: with time.mode linear, the time input runs 0 → 1 and jumps back at the seam; use time.mode: circle, or keyframe t so it returns');
  }
  if (scene.keyframes.length < 2) return warnings;
  const time = (k: SceneFile['keyframes'][number]): number => keyframeSeconds(k, scene.output.fps);
  const first = scene.keyframes[0];
  const last = scene.keyframes[scene.keyframes.length - 1];
  if (time(first) > EPSILON || time(last) < scene.output.duration - EPSILON) return warnings;
  const networkOf = (k: typeof first): string | undefined => {
    const ref = keyframeNetwork(k);
    return ref && (ref.kind === 'seed' ? `seed ${ref.seed}` : ref.path) + (ref.nudge ? ' nudged' : '');
  };
  const [a, b] = [keyframeNetwork(first), keyframeNetwork(last)];
  if (a && b && networkKey(a) !== networkKey(b)) {
    warnings.push(`loop: the network at the end (${networkOf(last)}) differs from the one at 0 s (${networkOf(first)}), so the loop jumps; end on the first network, or drop the last keyframe (a loop returns to its start by itself)`);
  }
  for (const name of VALUE_PARAMETERS) {
    const a = first[name];
    const b = last[name];
    // A period (rotation 360°, a palette cycle) makes different numbers the same picture.
    if (a !== undefined && b !== undefined && !same(a, b, parameter(name).period?.(scene))) {
      warnings.push(`loop: ${name} is ${JSON.stringify(b)} at the end but ${JSON.stringify(a)} at 0 s, so the loop jumps; make them equal, or drop the last keyframe (a loop returns to its start by itself)`);
    }
  }
  return warnings;
}
