/**
 * When a keyframe happens. Kept apart from the schema so that the modules a
 * render worker loads (timeline, pacing) do not load zod, which is slow to
 * load and would delay every thread's start.
 */

/** When a keyframe happens, in seconds, whether it was written with `at` or with `frame`. */
export function keyframeSeconds(keyframe: { at?: number; frame?: number }, fps: number): number {
  return keyframe.at ?? keyframe.frame! / fps;
}
