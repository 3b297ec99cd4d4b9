/**
 * What the network sees at each pixel. Coordinate convention:
 * - pixel (column i, row j) is sampled at its centre;
 * - u = (i + ½ − W/2) / S and v = (j + ½ − H/2) / S with S = min(W, H): the
 *   image centre is (0, 0), the shorter side spans [−½, ½], and v grows
 *   downwards (row order, as in image arrays and NumPy notebooks);
 * - the view turns (u, v) by `rotation` degrees (positive turns the picture
 *   anticlockwise), multiplies by `zoom`, then adds `center`:
 *   x = zoom·(u cos θ − v sin θ) + cx,  y = zoom·(u sin θ + v cos θ) + cy
 *   (with v pointing down, this turns what you see anticlockwise for θ > 0);
 * - r = sqrt(x² + y²).
 * Inputs are fed in the order the scene lists them; `t` is one input (the time
 * value) in linear mode or two (radius·sin 2πt, radius·cos 2πt) in circle
 * mode; `z` contributes its latent values in order.
 */
import { detCos, detSin } from './det-math.js';

export const INPUT_NAMES = ['x', 'y', 'r', 't', 'z'] as const;
export type InputName = (typeof INPUT_NAMES)[number];

export const TIME_MODES = ['circle', 'linear'] as const;
export type TimeMode = (typeof TIME_MODES)[number];

export interface View {
  zoom: number;
  center: readonly [number, number];
  /** Degrees. */
  rotation: number;
}

export interface FeatureSpec {
  inputs: readonly InputName[];
  timeMode: TimeMode;
  /** Radius of the time circle (circle mode) or multiplier of t (linear mode). */
  timeScale: number;
  latentSize: number;
}

/** Number of features the network's first layer takes. */
export function featureCount(spec: FeatureSpec): number {
  return spec.inputs.reduce((n, name) => n + (name === 't' ? (spec.timeMode === 'circle' ? 2 : 1) : name === 'z' ? spec.latentSize : 1), 0);
}

export interface FrameInputs {
  width: number;
  height: number;
  view: View;
  /** The time value: loop phase in [0, 1) unless keyframed otherwise. */
  t: number;
  latent: readonly number[];
}

/** The view as the pixel loop uses it: cos and sin of the rotation, and zoom per pixel. */
export function viewTransform(frame: FrameInputs): { cos: number; sin: number; scale: number } {
  const theta = (frame.view.rotation * Math.PI) / 180;
  return { cos: detCos(theta), sin: detSin(theta), scale: frame.view.zoom / Math.min(frame.width, frame.height) };
}

/**
 * The inputs that are the same at every pixel of a frame (time, latent), in
 * input order. `pixelSlot` stands in for each per-pixel input (x, y, r);
 * leave it out to get the constants alone.
 */
export function frameConstants(spec: FeatureSpec, frame: FrameInputs, pixelSlot?: number): number[] {
  const angle = 2 * Math.PI * frame.t;
  const time = spec.timeMode === 'circle' ? [spec.timeScale * detSin(angle), spec.timeScale * detCos(angle)] : [spec.timeScale * frame.t];
  return spec.inputs.flatMap((name) => {
    if (name === 't') return time;
    if (name === 'z') return Array.from({ length: spec.latentSize }, (_, i) => frame.latent[i] ?? 0);
    return pixelSlot === undefined ? [] : [pixelSlot];
  });
}

/**
 * Fills features for pixels [first, first + count) of the image (row-major
 * order) into `out`, feature-major with stride `stride`.
 */
export class FeatureWriter {
  private readonly constants: number[];
  private readonly cosR: number;
  private readonly sinR: number;
  private readonly scale: number;

  constructor(
    private readonly spec: FeatureSpec,
    private readonly frame: FrameInputs,
  ) {
    ({ cos: this.cosR, sin: this.sinR, scale: this.scale } = viewTransform(frame));
    this.constants = frameConstants(spec, frame, NaN);
  }

  /**
   * `dx`, `dy` move every sample within its pixel (in pixels, −½…½; 0 is the
   * centre): antialiasing takes several samples per pixel this way.
   */
  write(out: Float32Array, stride: number, first: number, count: number, dx = 0, dy = 0): void {
    const { width, height } = this.frame;
    const [cx, cy] = this.frame.view.center;
    const { cosR, sinR, scale } = this;
    const halfW = width / 2;
    const halfH = height / 2;
    // Where each per-pixel input goes (−1: not an input); the rest are constant.
    let xAt = -1;
    let yAt = -1;
    let rAt = -1;
    let slot = 0;
    for (const name of this.spec.inputs) {
      if (name === 't' || name === 'z') {
        const n = name === 't' ? (this.spec.timeMode === 'circle' ? 2 : 1) : this.spec.latentSize;
        for (let k = 0; k < n; k++, slot++) out.fill(this.constants[slot], slot * stride, slot * stride + count);
        continue;
      }
      if (name === 'x') xAt = slot * stride;
      else if (name === 'y') yAt = slot * stride;
      else rAt = slot * stride;
      slot++;
    }
    if (xAt < 0 && yAt < 0 && rAt < 0) return;
    // One pass over the pixels, row by row: x and y once per pixel, the row's terms once per row.
    let row = Math.floor(first / width);
    let column = first - row * width;
    for (let k = 0; k < count; ) {
      // With no offset these are exactly (i + ½ − W/2) and (j + ½ − H/2): the pixel centre.
      const v = row + (0.5 + dy) - halfH;
      const vSin = v * sinR;
      const vCos = v * cosR;
      const rowEnd = Math.min(count, k + width - column);
      for (; k < rowEnd; k++, column++) {
        const u = column + (0.5 + dx) - halfW;
        const x = scale * (u * cosR - vSin) + cx;
        const y = scale * (u * sinR + vCos) + cy;
        if (xAt >= 0) out[xAt + k] = x;
        if (yAt >= 0) out[yAt + k] = y;
        if (rAt >= 0) out[rAt + k] = Math.sqrt(x * x + y * y);
      }
      row++;
      column = 0;
    }
  }
}
