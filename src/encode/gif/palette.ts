/**
 * A palette for one frame: median cut over a histogram of the frame's colours
 * (6 bits per channel, each bin keeping the exact mean of its pixels; every
 * second pixel of a large frame, see histogramStep), then a
 * few rounds of k-means over the bins so the entries sit where the colours
 * are. Median cut stops early once the palette is close enough (a mean
 * squared error per pixel given by the caller): a frame whose colours lie
 * along a gradient needs far fewer than 256 entries, and every entry it does
 * not need makes the LZW strings shorter and the file larger. Mapping finds
 * the nearest entry for each colour at 7 bits per channel (6 for a coarse
 * palette), cached per frame. The per-pixel work (counting the histogram,
 * the nearest-colour searches) runs in the WebAssembly coder (coder-kernel.ts).
 * Integer and float arithmetic in a fixed order: the same frame always gives
 * the same palette and indices.
 */
import { type GifCoderKernel, LOOKUP } from './coder-kernel.js';

const HIST_BITS = 6;
const REFINE_ROUNDS = 3;
/**
 * k-means costs points × colours per round: beyond this, one round (three
 * rounds of a colourful frame's 4,096 points × 256 colours would cost more
 * than the rest of its coding).
 */
const REFINE_BUDGET = 1 << 18;
/**
 * A palette whose mean squared error per pixel is above this (summed over
 * r, g, b) is coarse: looking colours up at 6 bits per channel instead of 7
 * adds nothing visible to its error, and a colourful frame then needs a
 * quarter of the lookups.
 */
const COARSE_ERROR = 12;
/** Median cut and k-means work on at most this many histogram points (merged bins beyond). */
const MAX_POINTS = 4096;

export interface Palette {
  /** r, g, b per entry. */
  colours: Uint8Array;
  size: number;
}

/** The occupied histogram bins of a frame: count and mean colour of each (counted in the WebAssembly coder). */
class Histogram {
  /** The frame's exact colours while there are at most `limit` of them (then undefined). */
  exactColours: Set<number> | undefined;
  private occupied: Int32Array = new Int32Array(0);
  /** Scratch for merging bins (see points), kept from frame to frame. */
  private readonly slotOf = new Int32Array(1 << (3 * (HIST_BITS - 1)));

  constructor(private readonly kernel: GifCoderKernel) {}

  /**
   * Counts the frame's pixels: first whether it has at most `limit` exact
   * colours (a colourful frame is found out within its first few hundred
   * pixels), and if not, the bins, from every `step`-th pixel of each row,
   * shifted row by row (a checkerboard for step 2) so that no column is left
   * out everywhere.
   */
  add(step: number, limit: number): void {
    const pixels = this.kernel.pixels;
    const exact = new Set<number>();
    for (let i = 0; i < pixels.length && exact.size <= limit; i++) exact.add(pixels[i] & 0xffffff);
    if (exact.size <= limit) {
      this.exactColours = exact;
      return;
    }
    this.exactColours = undefined;
    this.occupied = this.kernel.histogram(step);
  }

  /**
   * Bins as points: mean colour (3 floats) and weight, in first-seen order.
   * A frame with more than `limit` occupied bins has its bins merged into
   * coarser ones (one bit less per channel at a time, exact means kept):
   * median cut sorts its points at every split, and a colourful frame can
   * occupy tens of thousands of bins where a few thousand place 256 colours
   * as well.
   */
  points(limit: number): { colours: Float64Array; weights: Float64Array } {
    const { occupied } = this;
    const bins = this.kernel.bins;
    // Point k's count and sums, side by side as in the bins; at full resolution, the bins themselves.
    let merged: Float64Array | undefined;
    let n = occupied.length;
    for (let drop = 1; n > limit && drop < HIST_BITS; drop++) {
      const bits = HIST_BITS - drop;
      const keep = (1 << bits) - 1;
      // Coarse bins indexed directly (at most 2^15): slot + 1 of each, 0 while empty.
      const slotOf = this.slotOf.subarray(0, 1 << (3 * bits)).fill(0);
      merged = new Float64Array(Math.min(n, slotOf.length) * 4);
      n = 0;
      for (const bin of occupied) {
        const coarse = (((bin >> (2 * HIST_BITS + drop)) & keep) << (2 * bits)) | (((bin >> (HIST_BITS + drop)) & keep) << bits) | ((bin >> drop) & keep);
        let slot = slotOf[coarse] - 1;
        if (slot < 0) slotOf[coarse] = (slot = n++) + 1;
        for (let c = 0; c < 4; c++) merged[slot * 4 + c] += bins[bin * 4 + c];
      }
    }
    const colours = new Float64Array(n * 3);
    const weights = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const at = merged ? k * 4 : occupied[k] * 4;
      const source = merged ?? bins;
      weights[k] = source[at];
      for (let c = 0; c < 3; c++) colours[k * 3 + c] = source[at + 1 + c] / source[at];
    }
    return { colours, weights };
  }
}

interface Box {
  /** Indices into the points. */
  members: number[];
  error: number;
}

function boxError(members: number[], colours: Float64Array, weights: Float64Array): number {
  let w = 0;
  const mean = [0, 0, 0];
  for (const m of members) {
    w += weights[m];
    for (let c = 0; c < 3; c++) mean[c] += colours[m * 3 + c] * weights[m];
  }
  let error = 0;
  for (const m of members) {
    for (let c = 0; c < 3; c++) {
      const d = colours[m * 3 + c] - mean[c] / w;
      error += d * d * weights[m];
    }
  }
  return members.length > 1 ? error : 0;
}

/** Splits a box at the weighted median of its widest channel. */
const bucketWeights = new Float64Array(256);

function split(box: Box, colours: Float64Array, weights: Float64Array): [number[], number[]] {
  let channel = 0;
  let widest = -1;
  for (let c = 0; c < 3; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const m of box.members) {
      lo = Math.min(lo, colours[m * 3 + c]);
      hi = Math.max(hi, colours[m * 3 + c]);
    }
    if (hi - lo > widest) {
      widest = hi - lo;
      channel = c;
    }
  }
  // The members in order of the channel, as far as the cut needs it: by whole
  // value into 256 buckets, and only the bucket where the weighted median falls
  // sorted exactly (sorting every box at every split was most of the palette's time).
  const value = (m: number): number => colours[m * 3 + channel];
  const bucketOf = (m: number): number => Math.min(255, Math.max(0, Math.floor(value(m))));
  bucketWeights.fill(0);
  let total = 0;
  for (const m of box.members) {
    bucketWeights[bucketOf(m)] += weights[m];
    total += weights[m];
  }
  let median = 0;
  for (let below = 0; median < 255 && below + bucketWeights[median] < total / 2; median++) below += bucketWeights[median];
  const low: number[] = [];
  const middle: number[] = [];
  const high: number[] = [];
  for (const m of box.members) {
    const bucket = bucketOf(m);
    (bucket < median ? low : bucket > median ? high : middle).push(m);
  }
  middle.sort((a, b) => value(a) - value(b) || a - b);
  const sorted = [...low, ...middle, ...high];
  let running = 0;
  let cut = 1;
  for (; cut < sorted.length - 1; cut++) {
    running += weights[sorted[cut - 1]];
    if (running >= total / 2) break;
  }
  return [sorted.slice(0, cut), sorted.slice(cut)];
}

/**
 * Pixels the histogram counts: every one in a small frame, every second in a
 * larger one (plenty for 256 colours, at half the cost), and beyond 2^25
 * pixels fewer still, which keeps the bins' 32-bit sums from overflowing.
 */
function histogramStep(pixels: number): number {
  return pixels <= 1 << 16 ? 1 : Math.max(2, Math.ceil(pixels / (1 << 24)));
}

/*
 * The palette's three steps are functions of their own rather than one long
 * method: V8 compiles (and, as a frame takes new paths, recompiles) each hot
 * function whole, with what it inlines, and the coder's thread starts afresh
 * with every GIF.
 */

/**
 * Splits the worst box until there are `size` boxes or their summed squared
 * error is at most `enough` (weighted, over all points); returns the boxes
 * and that error.
 */
function medianCut(colours: Float64Array, weights: Float64Array, size: number, enough: number): { boxes: Box[]; error: number } {
  const n = weights.length;
  const boxes: Box[] = [{ members: Array.from({ length: n }, (_, i) => i), error: 0 }];
  boxes[0].error = boxError(boxes[0].members, colours, weights);
  let error = boxes[0].error;
  while (boxes.length < size && error > enough) {
    let worst = 0;
    for (let b = 1; b < boxes.length; b++) if (boxes[b].error > boxes[worst].error) worst = b;
    if (boxes[worst].error <= 0) break;
    const [a, b] = split(boxes[worst], colours, weights);
    error -= boxes[worst].error;
    boxes[worst] = { members: a, error: boxError(a, colours, weights) };
    boxes.push({ members: b, error: boxError(b, colours, weights) });
    error += boxes[worst].error + boxes[boxes.length - 1].error;
  }
  return { boxes, error };
}

/** The weighted mean colour of each box, r, g, b per box. */
function boxCentres(boxes: Box[], colours: Float64Array, weights: Float64Array): Float64Array {
  const centres = new Float64Array(boxes.length * 3);
  boxes.forEach((box, k) => {
    let w = 0;
    for (const m of box.members) {
      w += weights[m];
      for (let c = 0; c < 3; c++) centres[k * 3 + c] += colours[m * 3 + c] * weights[m];
    }
    for (let c = 0; c < 3; c++) centres[k * 3 + c] /= w;
  });
  return centres;
}

/**
 * `rounds` rounds of k-means from the boxes' centres over the weighted
 * points; returns r, g, b of each centre. The nearest centre of each point
 * is found by the WebAssembly coder.
 */
function refine(kernel: GifCoderKernel, boxes: Box[], colours: Float64Array, weights: Float64Array, rounds: number): Float64Array {
  const n = weights.length;
  const size = boxes.length;
  let centres = boxCentres(boxes, colours, weights);
  kernel.points.set(colours);
  // Each point's box is where the search for its nearest centre starts.
  boxes.forEach((box, k) => {
    for (const m of box.members) kernel.assigned[m] = k;
  });
  for (let round = 0; round < rounds; round++) {
    const sums = new Float64Array(size * 3);
    const totals = new Float64Array(size);
    loadSearch(kernel, centres, size);
    kernel.assign(n);
    const assigned = kernel.assigned;
    for (let m = 0; m < n; m++) {
      const k = assigned[m];
      totals[k] += weights[m];
      for (let c = 0; c < 3; c++) sums[k * 3 + c] += colours[m * 3 + c] * weights[m];
    }
    const next = new Float64Array(centres);
    for (let k = 0; k < size; k++) if (totals[k] > 0) for (let c = 0; c < 3; c++) next[k * 3 + c] = sums[k * 3 + c] / totals[k];
    centres = next;
  }
  return centres;
}

export class PaletteMaker {
  private readonly histogram: Histogram;
  private palette: Palette = { colours: new Uint8Array(0), size: 0 };

  /** `kernel` holds the frame (its `pixels`) and looks colours up in the palette. */
  constructor(private readonly kernel: GifCoderKernel) {
    this.histogram = new Histogram(kernel);
  }

  /**
   * Builds the palette of at most `size` colours for the kernel's frame, with no
   * more colours than it takes to bring the mean squared error per pixel
   * (summed over r, g, b, on the 0–255 scale) down to `enough`.
   */
  build(size: number, enough = 0): Palette {
    const pixelCount = this.kernel.pixels.length;
    this.histogram.add(histogramStep(pixelCount), size);
    // Few enough exact colours: they are the palette, and every pixel keeps its colour.
    const exact = this.histogram.exactColours;
    if (exact) {
      // In order of (r, g, b).
      const list = [...exact].map((c) => ((c & 0xff) << 16) | (c & 0xff00) | (c >> 16)).sort((a, b) => a - b);
      return this.use(Uint8Array.from(list.flatMap((c) => [c >> 16, (c >> 8) & 0xff, c & 0xff])), list.length, LOOKUP.exact);
    }
    const { colours, weights } = this.histogram.points(MAX_POINTS);
    let counted = 0;
    for (let m = 0; m < weights.length; m++) counted += weights[m];
    const { boxes, error } = medianCut(colours, weights, size, enough * counted);
    const rounds = weights.length * boxes.length <= REFINE_BUDGET ? REFINE_ROUNDS : 1;
    const centres = refine(this.kernel, boxes, colours, weights, rounds);
    const out = new Uint8Array(boxes.length * 3);
    for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(centres[i])));
    return this.use(out, boxes.length, error / counted > COARSE_ERROR ? LOOKUP.coarse : LOOKUP.fine);
  }

  /** The palette becomes the kernel's: as colour words, and in its search. */
  private use(colours: Uint8Array, size: number, lookup: number): Palette {
    this.palette = { colours, size };
    const packed = this.kernel.packed;
    for (let i = 0; i < size; i++) packed[i] = colours[i * 3] | (colours[i * 3 + 1] << 8) | (colours[i * 3 + 2] << 16);
    loadSearch(this.kernel, colours, size);
    this.kernel.usePalette(size, lookup);
    return this.palette;
  }

  /**
   * Bits of each channel that map() ignores: 0 for an exact palette, 1 at 7
   * bits per channel, 2 for a coarse palette. Colours that agree but for
   * these bits map to the same entry.
   */
  get ignoredBits(): number {
    return this.kernel.ignoredBits();
  }

  /** The index of the palette entry nearest to (r, g, b), at 7 bits per channel (6 for a coarse palette). */
  map(r: number, g: number, b: number): number {
    return this.kernel.map(r, g, b);
  }
}

/**
 * Gives the kernel's nearest-colour search `size` colours (r, g, b of each),
 * sorted by green, ties by index: the search walks outwards from the query's
 * green and stops once the green difference alone exceeds the best distance,
 * so it looks at a few colours instead of all; ties go to the lowest index,
 * as in a plain scan.
 */
function loadSearch(kernel: GifCoderKernel, colours: ArrayLike<number>, size: number): void {
  const order = kernel.searchOrder.subarray(0, size);
  for (let i = 0; i < size; i++) order[i] = i;
  order.sort((a, b) => colours[a * 3 + 1] - colours[b * 3 + 1] || a - b);
  for (let k = 0; k < size; k++) {
    const i = order[k];
    kernel.searchReds[k] = colours[i * 3];
    kernel.searchGreens[k] = colours[i * 3 + 1];
    kernel.searchBlues[k] = colours[i * 3 + 2];
  }
  kernel.setSearch(size);
}
