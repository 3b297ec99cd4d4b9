/**
 * A scene's frame at a reduced size for looking inside the network. The
 * coordinates are normalised to the image's shorter side, so a smaller frame
 * shows the same picture with fewer pixels, and its statistics estimate the
 * full-size frame's.
 */
import { multiplyAddsPerPixel, type FrameDescription } from '../core/index.js';
import { stillTime } from '../render/still.js';
import { FrameBuilder, type LoadedScene, type SceneModel } from '../scene/index.js';

export interface SampleLimits {
  /** Longest side in pixels (never more than the scene's own). */
  maxSide: number;
  /** Shortest allowed longer side, whatever the cost. */
  minSide: number;
  /** Multiply-adds the whole frame may take: wide networks get fewer pixels. */
  budget: number;
}

/**
 * `inspect`: up to 256 px on the longer side and about 2·10⁸ multiply-adds
 * (plain float64 JavaScript: the budget keeps the wait short): 256×256 for 8
 * layers of 16, about 64×64 for 4 layers of 128.
 */
export const INSPECT_LIMITS: SampleLimits = { maxSide: 256, minSide: 32, budget: 2e8 };

/** The size a frame of `model` is evaluated at under `limits`, aspect ratio kept. */
export function sampleSize(model: SceneModel, limits: SampleLimits): [number, number] {
  const { width, height } = model;
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  const affordable = Math.sqrt((limits.budget / multiplyAddsPerPixel(model.shape)) * (long / short));
  const side = Math.min(long, limits.maxSide, Math.max(limits.minSide, Math.floor(affordable)));
  const other = Math.max(1, Math.round((side * short) / long));
  return width >= height ? [side, other] : [other, side];
}

/** The frame at `at` seconds (loops wrap, as for stills), evaluated at `size`. */
export function sampleFrame(loaded: LoadedScene, at: number, size: readonly [number, number]): FrameDescription {
  const time = stillTime(loaded, at);
  const frame = new FrameBuilder(loaded.model, loaded.library).atTime(time);
  return { ...frame, width: size[0], height: size[1] };
}
