/**
 * Pacing: how fast the picture changes from frame to frame. Easing works on
 * parameter values, but the eye sees the picture, and equal steps through a
 * network's parameters can move the picture a lot or hardly at all. With
 * `pacing: even` the trajectory is re-timed so that the measured change per
 * frame is as even as the path allows: the picture's change is measured along
 * the whole path on a small preview, and time is mapped so that equal stretches
 * of time cover equal amounts of change.
 *
 * The re-timing is a monotonic, piecewise-linear map of time onto itself that
 * keeps its ends (and, per segment, the segment's keyframes) in place: the
 * keyframes keep their order, a loop still closes, and since the preview is
 * rendered by the same deterministic kernels, every worker computes the same
 * map.
 */
import { createKernel, multiplyAddsPerPixel, renderRows, type FrameDescription, type NetworkShape } from '../core/index.js';
import { keyframeSeconds } from './keyframe-time.js';
import type { SceneFile } from './schema.js';

/** Longer side of the preview the change is measured on, and its cost cap (multiply-adds per preview frame). */
const PREVIEW_SIDE = 64;
const PREVIEW_BUDGET = 2e7;
/** Samples of the path: one per frame, within these bounds. */
const MIN_SAMPLES = 64;
const MAX_SAMPLES = 600;
/**
 * A stretch where nothing changes still gets this share of the mean pace, so
 * a held pose is shortened rather than skipped in zero time.
 */
const STALL_FLOOR = 0.02;

/**
 * The size the change is measured at, aspect ratio kept. It depends on the
 * network, never on the output size, so a small draft and the final render
 * get the same timing.
 */
export function previewSize(width: number, height: number, shape: NetworkShape): [number, number] {
  const long = Math.max(width, height);
  const affordable = Math.floor(Math.sqrt(PREVIEW_BUDGET / multiplyAddsPerPixel(shape)));
  const side = Math.max(16, Math.min(PREVIEW_SIDE, affordable));
  const other = Math.max(1, Math.round((side * Math.min(width, height)) / long));
  return width >= height ? [side, other] : [other, side];
}

/** Mean absolute difference of the RGB values of two RGBA images, in steps of 255. */
export function pictureChange(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
  return sum / ((a.length / 4) * 3);
}

/** Renders frames at a small size, one after another, for measuring change. */
export class PreviewRenderer {
  private kernel: ReturnType<typeof createKernel> | undefined;

  constructor(readonly size: readonly [number, number]) {}

  render(frame: FrameDescription): Uint8Array {
    this.kernel ??= createKernel(frame.shape);
    // Antialiasing is left out: the preview measures the path, not the finish.
    const small = { ...frame, width: this.size[0], height: this.size[1], antialias: 1 };
    const out = new Uint8Array(small.width * small.height * 4);
    renderRows(small, this.kernel, out);
    return out;
  }
}

/**
 * The re-timing: paced segments, each a monotonic piecewise-linear map from
 * the time a frame shows (`from` knots) to the moment of the un-paced path it
 * renders (`to` knots), both running from the segment's start to its end.
 * Times outside every segment are not re-timed.
 */
export interface TimeMap {
  duration: number;
  loop: boolean;
  segments: Array<{ from: number[]; to: number[] }>;
}

function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  if (x <= xs[0]) return ys[0] + (x - xs[0]);
  const last = xs.length - 1;
  if (x >= xs[last]) return ys[last] + (x - xs[last]);
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  const span = xs[hi] - xs[lo];
  return span > 0 ? ys[lo] + ((ys[hi] - ys[lo]) * (x - xs[lo])) / span : ys[lo];
}

/** The moment of the un-paced path that `time` shows. */
export function applyTimeMap(map: TimeMap, time: number): number {
  for (const { from, to } of map.segments) {
    const start = from[0];
    const end = from[from.length - 1];
    // A loop's closing segment runs past the duration: a time early in the loop may lie in it, one period on.
    for (const shift of map.loop ? [0, map.duration] : [0]) {
      const t = time + shift;
      if (t >= start && t <= end) {
        const shown = interpolate(from, to, t) - shift;
        return map.loop ? ((shown % map.duration) + map.duration) % map.duration : shown;
      }
    }
  }
  return time;
}

/** The paced stretches of a scene: [start, end] in seconds (end may pass the duration for a loop's closing segment). */
export function pacedSegments(scene: SceneFile): Array<[number, number]> {
  const duration = scene.output.duration;
  if (scene.pacing === 'even') return [[0, duration]];
  const times = scene.keyframes.map((k) => keyframeSeconds(k, scene.output.fps));
  const segments: Array<[number, number]> = [];
  scene.keyframes.forEach((k, i) => {
    if (k.pacing !== 'even') return;
    const next = i + 1 < times.length ? times[i + 1] : scene.loop === true ? times[0] + duration : duration;
    if (next > times[i]) segments.push([times[i], next]);
  });
  return segments;
}

/**
 * The map from the time a frame shows to the moment of the un-paced path it
 * renders. `raw(time)` gives the un-paced frame at a time.
 */
export function measurePacing(scene: SceneFile, raw: (time: number) => FrameDescription, frameCount: number): TimeMap | undefined {
  const segments = pacedSegments(scene);
  if (segments.length === 0) return undefined;
  const duration = scene.output.duration;
  const loop = scene.loop === true;
  const samples = Math.min(MAX_SAMPLES, Math.max(MIN_SAMPLES, frameCount));
  const first = raw(0);
  const preview = new PreviewRenderer(previewSize(first.width, first.height, first.shape));
  // The path sampled over one period (a loop's last step returns to its start).
  const times = Array.from({ length: samples + 1 }, (_, k) => (k / samples) * duration);
  const pictures = times.slice(0, loop ? samples : samples + 1).map((t) => preview.render(raw(t)));
  if (loop) pictures.push(pictures[0]);
  const steps = times.slice(1).map((_, k) => pictureChange(pictures[k], pictures[k + 1]));
  const mean = steps.reduce((a, b) => a + b, 0) / steps.length;
  const floor = STALL_FLOOR * mean;
  // Cumulative change along the path; a loop repeats it, one period later.
  const cumulative = [0];
  for (const step of steps) cumulative.push(cumulative[cumulative.length - 1] + step + floor);
  const total = cumulative[samples];
  // Knots of the cumulative change over time; a loop gets the periods before and after, so a segment may cross the seam.
  const knotsT: number[] = [];
  const knotsC: number[] = [];
  const period = (shift: number, from: number): void => {
    for (let k = from; k <= samples; k++) {
      knotsT.push(times[k] + shift * duration);
      knotsC.push(cumulative[k] + shift * total);
    }
  };
  if (loop) {
    period(-1, 0);
    period(0, 1);
    period(1, 1);
  } else period(0, 0);
  if (total <= 0) return undefined;
  const map: TimeMap = { duration, loop, segments: [] };
  for (const [start, end] of segments) {
    const c0 = interpolate(knotsT, knotsC, start);
    const c1 = interpolate(knotsT, knotsC, end);
    // Within the segment, equal stretches of time cover equal change.
    const pieces = Math.max(8, Math.ceil((samples * (end - start)) / duration));
    const from: number[] = [];
    const to: number[] = [];
    for (let k = 0; k <= pieces; k++) {
      from.push(start + ((end - start) * k) / pieces);
      to.push(k === 0 ? start : k === pieces ? end : interpolate(knotsC, knotsT, c0 + ((c1 - c0) * k) / pieces));
    }
    map.segments.push({ from, to });
  }
  return map;
}
