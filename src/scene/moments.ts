/** Which moment of a scene best shows it, for stills and thumbnails. */
import { motionSources } from './no-op-check.js';
import type { SceneFile } from './schema.js';

/**
 * The middle of the video when the scene moves: 0 s is where a loop starts
 * and ends, often a keyframe's plain pose, while halfway is well into the
 * journey (the contact sheet shows the same moment). A scene that never moves
 * looks the same at every moment: 0 s.
 */
export function representativeTime(scene: SceneFile): number {
  return motionSources(scene).length > 0 ? scene.output.duration / 2 : 0;
}

/** Whether the scene is one picture (output.kind: still): render writes it as a PNG rather than a video. */
export function isStillScene(scene: SceneFile): boolean {
  return scene.output.kind === 'still';
}
