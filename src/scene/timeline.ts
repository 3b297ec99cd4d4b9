/**
 * The timeline: which time each frame shows, and every animatable parameter's
 * value at any time. Each parameter moves between the keyframes that set it,
 * with the easing of the keyframe the segment starts from (as in CSS
 * @keyframes). With `loop: true` the trajectory is closed: after a
 * parameter's last keyframe it travels back to its first, arriving exactly
 * one duration later, so frame N (never written) would equal frame 0.
 */
import { easing, type Easing } from './easing.js';
import { VALUE_PARAMETERS, type NumberParameter, type ValueParameter } from './parameters.js';
import { keyframeSeconds } from './keyframe-time.js';
import { nudgeKey, type Nudge } from './nudge.js';
import type { SceneFile } from './schema.js';

/** A network named by a seed or a weights file, perhaps nudged through weight space (nudge.ts). */
export type NetworkRef = ({ kind: 'seed'; seed: number } | { kind: 'file'; path: string }) & { nudge?: readonly Nudge[] };

export function networkKey(ref: NetworkRef): string {
  return (ref.kind === 'seed' ? `seed:${ref.seed}` : `file:${ref.path}`) + nudgeKey(ref.nudge);
}

/** The network a keyframe sets (its seed or weights, with its nudge), or undefined. */
export function keyframeNetwork(k: { seed?: number; weights?: string; nudge?: readonly Nudge[] }): NetworkRef | undefined {
  const nudge = k.nudge && k.nudge.length > 0 ? { nudge: k.nudge } : {};
  if (k.seed !== undefined) return { kind: 'seed', seed: k.seed, ...nudge };
  if (k.weights !== undefined) return { kind: 'file', path: k.weights, ...nudge };
  return undefined;
}

/** The network of a frame: a blend of two networks, or a point on an orbit. */
export type NetworkMix =
  | { kind: 'blend'; a: NetworkRef; b: NetworkRef; u: number }
  | { kind: 'orbit'; a: NetworkRef; b: NetworkRef; angle: number };

type TrackValue = number | readonly number[] | NetworkRef;

interface TrackPoint<V> {
  time: number;
  value: V;
  ease: Easing;
}

export interface Timeline {
  frameCount: number;
  duration: number;
  fps: number;
  loop: SceneFile['loop'];
  tracks: Partial<Record<ValueParameter | 'network', TrackPoint<TrackValue>[]>>;
}

/** Parameter values at one moment; undefined means "not animated: use the scene's value". */
export interface TimelineValues {
  time: number;
  /** Fraction of the way through the video, in [0, 1) for loops. */
  phase: number;
  network?: NetworkMix;
  numbers: Partial<Record<NumberParameter, number>>;
  center?: readonly [number, number];
  z?: readonly number[];
}

export function frameCountOf(scene: SceneFile): number {
  const frames = Math.max(1, Math.round(scene.output.duration * scene.output.fps));
  // Ping-pong turns around on a frame only when the count is even.
  return scene.loop === 'ping-pong' ? 2 * Math.max(1, Math.round(frames / 2)) : frames;
}

/** Builds the tracks of every animated parameter from the keyframes. */
export function buildTimeline(scene: SceneFile): Timeline {
  const tracks: Timeline['tracks'] = {};
  const defaultEase = easing(scene.ease);
  const push = (name: ValueParameter | 'network', point: TrackPoint<TrackValue>): void => {
    (tracks[name] ??= []).push(point);
  };
  for (const k of scene.keyframes) {
    const time = keyframeSeconds(k, scene.output.fps);
    const ease = k.ease !== undefined ? easing(k.ease) : defaultEase;
    const network = keyframeNetwork(k);
    if (network) push('network', { time, value: network, ease });
    // seed and weights both feed the one network track (above); the rest have a track each.
    for (const name of VALUE_PARAMETERS) {
      const value = k[name];
      if (value !== undefined) push(name, { time, value, ease });
    }
  }
  return {
    frameCount: frameCountOf(scene),
    duration: scene.output.duration,
    fps: scene.output.fps,
    loop: scene.loop,
    tracks,
  };
}

/**
 * The time (seconds) that frame `index` shows. Loops sample [0, duration) at
 * i/N·duration, so the frame after the last is the first; a video that plays
 * once samples [0, duration] end to end; ping-pong plays [0, duration]
 * forwards in the first half and backwards in the second.
 */
export function frameTime(timeline: Timeline, index: number): number {
  const n = timeline.frameCount;
  if (timeline.loop === true) return (index / n) * timeline.duration;
  if (timeline.loop === 'ping-pong') {
    const half = n / 2;
    const u = index <= half ? index / half : (n - index) / half;
    return u * timeline.duration;
  }
  return n === 1 ? 0 : (index / (n - 1)) * timeline.duration;
}

/** Locates `time` on a track: the segment's endpoints and the eased progress between them. */
function segmentAt<V>(points: TrackPoint<V>[], time: number, timeline: Timeline): { from: V; to: V; u: number } {
  const first = points[0];
  const last = points[points.length - 1];
  if (timeline.loop === true) {
    // Closed trajectory: after the last point the track returns to the first one duration later.
    const closing = { ...first, time: first.time + timeline.duration };
    const t = time < first.time ? time + timeline.duration : time;
    const all = [...points, closing];
    for (let i = 0; i < all.length - 1; i++) {
      const a = all[i];
      const b = all[i + 1];
      if (t >= a.time && t < b.time) return { from: a.value, to: b.value, u: a.ease((t - a.time) / (b.time - a.time)) };
    }
    return { from: first.value, to: first.value, u: 0 };
  }
  if (time <= first.time) return { from: first.value, to: first.value, u: 0 };
  if (time >= last.time) return { from: last.value, to: last.value, u: 0 };
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i];
    const b = points[i + 1];
    if (time >= a.time && time < b.time) return { from: a.value, to: b.value, u: a.ease((time - a.time) / (b.time - a.time)) };
  }
  return { from: last.value, to: last.value, u: 0 };
}

function lerp(a: number, b: number, u: number): number {
  return u === 0 ? a : u === 1 ? b : a + (b - a) * u;
}

export function valuesAt(timeline: Timeline, time: number): TimelineValues {
  const values: TimelineValues = { time, phase: time / timeline.duration, numbers: {} };
  for (const [name, points] of Object.entries(timeline.tracks) as Array<[ValueParameter | 'network', TrackPoint<TrackValue>[]]>) {
    const { from, to, u } = segmentAt(points, time, timeline);
    if (name === 'network') {
      values.network = { kind: 'blend', a: from as NetworkRef, b: to as NetworkRef, u };
    } else if (name === 'center') {
      const [a, b] = [from as readonly number[], to as readonly number[]];
      values.center = [lerp(a[0], b[0], u), lerp(a[1], b[1], u)];
    } else if (name === 'z') {
      const [a, b] = [from as readonly number[], to as readonly number[]];
      values.z = a.map((v, i) => lerp(v, b[i], u));
    } else {
      values.numbers[name as keyof TimelineValues['numbers']] = lerp(from as number, to as number, u);
    }
  }
  return values;
}
