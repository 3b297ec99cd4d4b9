/** What the encoders are told about a scene's video. */
import type { EncodeJob } from '../encode/encoder.js';
import type { LoadedScene } from '../scene/index.js';

/** The scene's video, to be written at `path`; `metadata`: store the resolved scene in it (outputs do, pieces need not). */
export function videoEncodeJob(loaded: LoadedScene, path: string, metadata = true): EncodeJob {
  const { output } = loaded.scene;
  return {
    width: loaded.model.width,
    height: loaded.model.height,
    fps: output.fps,
    frameCount: loaded.model.timeline.frameCount,
    path,
    metadata: metadata ? JSON.stringify(loaded.scene) : undefined,
    output,
  };
}
