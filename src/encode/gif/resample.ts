/**
 * Area resampling of RGBA frames (each output pixel is the average of the
 * source area it covers), for GIFs smaller than the video. Separable: rows,
 * then columns, with the weights of each axis computed once.
 */
interface Axis {
  /** For each output position: first source index and the weights from there. */
  start: Int32Array;
  weights: Float32Array[];
}

function axis(from: number, to: number): Axis {
  const scale = from / to;
  const start = new Int32Array(to);
  const weights: Float32Array[] = [];
  for (let o = 0; o < to; o++) {
    // Upscaling: the source area is narrower than one pixel; widen it to one so every output pixel has a source.
    const width = Math.max(scale, 1);
    const centre = (o + 0.5) * scale;
    const lo = Math.max(0, centre - width / 2);
    const hi = Math.min(from, centre + width / 2);
    const first = Math.floor(lo);
    const last = Math.min(from - 1, Math.ceil(hi) - 1);
    const w = new Float32Array(last - first + 1);
    let total = 0;
    for (let s = first; s <= last; s++) {
      const covered = Math.min(hi, s + 1) - Math.max(lo, s);
      w[s - first] = Math.max(0, covered);
      total += w[s - first];
    }
    for (let k = 0; k < w.length; k++) w[k] /= total;
    start[o] = first;
    weights.push(w);
  }
  return { start, weights };
}

export class Resampler {
  private readonly columns: Axis;
  private readonly rows: Axis;
  private readonly between: Float32Array;
  private readonly output: Uint8Array;

  constructor(
    private readonly fromWidth: number,
    private readonly fromHeight: number,
    readonly width: number,
    readonly height: number,
  ) {
    this.columns = axis(fromWidth, width);
    this.rows = axis(fromHeight, height);
    this.between = new Float32Array(width * fromHeight * 3);
    this.output = new Uint8Array(width * height * 4);
  }

  /** The frame at the new size (RGBA, opaque); the returned buffer is reused by the next call. */
  resample(rgba: Uint8Array): Uint8Array {
    const { fromWidth, fromHeight, width, height, between, output } = this;
    for (let y = 0; y < fromHeight; y++) {
      for (let x = 0; x < width; x++) {
        const w = this.columns.weights[x];
        const s0 = this.columns.start[x];
        let r = 0;
        let g = 0;
        let b = 0;
        for (let k = 0; k < w.length; k++) {
          const p = (y * fromWidth + s0 + k) * 4;
          r += rgba[p] * w[k];
          g += rgba[p + 1] * w[k];
          b += rgba[p + 2] * w[k];
        }
        const q = (y * width + x) * 3;
        between[q] = r;
        between[q + 1] = g;
        between[q + 2] = b;
      }
    }
    for (let y = 0; y < height; y++) {
      const w = this.rows.weights[y];
      const s0 = this.rows.start[y];
      for (let x = 0; x < width; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let k = 0; k < w.length; k++) {
          const q = ((s0 + k) * width + x) * 3;
          r += between[q] * w[k];
          g += between[q + 1] * w[k];
          b += between[q + 2] * w[k];
        }
        const p = (y * width + x) * 4;
        output[p] = Math.min(255, Math.round(r));
        output[p + 1] = Math.min(255, Math.round(g));
        output[p + 2] = Math.min(255, Math.round(b));
        output[p + 3] = 255;
      }
    }
    return output;
  }
}
