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
 * palette), cached per frame. Integer and float arithmetic in a fixed order: the same
 * frame always gives the same palette and indices.
 */
const HIST_BITS = 6;
const HIST_SIZE = 1 << (3 * HIST_BITS);
/** Slots of the cache of nearest entries (see PaletteMaker): 320 kB. */
const CACHE_BITS = 16;
const CACHE_SIZE = 1 << CACHE_BITS;
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

/** The occupied histogram bins of a frame: count and mean colour of each. */
class Histogram {
  /**
   * Per bin, side by side (one cache line for a pixel's update): count, then
   * the sums of r, g and b, as 32-bit integers (histogramStep keeps them from
   * overflowing).
   */
  private readonly bins = new Uint32Array(HIST_SIZE * 4);
  /** The frame's exact colours while there are at most `limit` of them (then undefined). */
  exactColours: Set<number> | undefined;
  readonly occupied: number[] = [];
  /** Scratch for merging bins (see points), kept from frame to frame. */
  private readonly slotOf = new Int32Array(1 << (3 * (HIST_BITS - 1)));

  /**
   * Counts the frame's pixels (as colour words, see colour-words.ts), `width` to a
   * row: first whether it has at most `limit` exact colours (a colourful frame
   * is found out within its first few hundred pixels), and if not, the bins,
   * from every `step`-th pixel of each row, shifted row by row (a checkerboard
   * for step 2) so that no column is left out everywhere.
   */
  add(pixels: Uint32Array, width: number, step: number, limit: number): void {
    const { bins, occupied } = this;
    const exact = new Set<number>();
    for (let i = 0; i < pixels.length && exact.size <= limit; i++) exact.add(pixels[i] & 0xffffff);
    if (exact.size <= limit) {
      this.exactColours = exact;
      return;
    }
    for (let row = 0, y = 0; row < pixels.length; row += width, y++) {
      const end = Math.min(row + width, pixels.length);
      for (let i = row + (y % step); i < end; i += step) {
        const v = pixels[i];
        const r = v & 0xff;
        const g = (v >> 8) & 0xff;
        const b = (v >> 16) & 0xff;
        const at = (((r >> (8 - HIST_BITS)) << (2 * HIST_BITS)) | ((g >> (8 - HIST_BITS)) << HIST_BITS) | (b >> (8 - HIST_BITS))) * 4;
        if (bins[at]++ === 0) occupied.push(at >> 2);
        bins[at + 1] += r;
        bins[at + 2] += g;
        bins[at + 3] += b;
      }
    }
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
    const { bins, occupied } = this;
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

  clear(): void {
    const { bins } = this;
    for (const bin of this.occupied) bins[bin * 4] = bins[bin * 4 + 1] = bins[bin * 4 + 2] = bins[bin * 4 + 3] = 0;
    this.occupied.length = 0;
    this.exactColours = undefined;
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

/** `rounds` rounds of k-means from `centres` (r, g, b of `size` colours) over the weighted points. */
function refine(centres: Float64Array, size: number, colours: Float64Array, weights: Float64Array, rounds: number): Float64Array {
  const n = weights.length;
  for (let round = 0; round < rounds; round++) {
    const sums = new Float64Array(size * 3);
    const totals = new Float64Array(size);
    const search = new NearestSearch(centres, size);
    for (let m = 0; m < n; m++) {
      const k = search.nearest(colours[m * 3], colours[m * 3 + 1], colours[m * 3 + 2]);
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
  private readonly histogram = new Histogram();
  /**
   * Nearest entry per colour key (7-bit, or from bit 21 6-bit), cached in a
   * direct-mapped table: a frame looks up some thousands of keys, and a table
   * of every key (2.4 million) would cost megabytes of memory and cache.
   * A key that loses its slot is simply searched again.
   */
  private readonly cachedKeys = new Int32Array(CACHE_SIZE).fill(-1);
  private readonly cachedIndices = new Uint8Array(CACHE_SIZE);
  private palette: Palette = { colours: new Uint8Array(0), size: 0 };
  private search = new NearestSearch(new Uint8Array(0), 0);
  /** The palette holds every colour of the frame exactly (mapped through `exactIndex`). */
  private exact = false;
  /** Look colours up at 6 bits per channel (a coarse palette: see COARSE_ERROR). */
  private coarse = false;
  private readonly exactIndex = new Map<number, number>();

  private mapExact(r: number, g: number, b: number): number {
    const colour = (r << 16) | (g << 8) | b;
    let index = this.exactIndex.get(colour);
    if (index === undefined) {
      index = this.search.nearest(r, g, b);
      this.exactIndex.set(colour, index);
    }
    return index;
  }

  /**
   * Builds the palette of at most `size` colours for a frame (colour words, `width` to a row), with no
   * more colours than it takes to bring the mean squared error per pixel
   * (summed over r, g, b, on the 0–255 scale) down to `enough`.
   */
  build(pixels: Uint32Array, width: number, size: number, enough = 0): Palette {
    this.histogram.clear();
    this.histogram.add(pixels, width, histogramStep(pixels.length), size);
    // Few enough exact colours: they are the palette, and every pixel keeps its colour.
    const exact = this.histogram.exactColours;
    if (exact) {
      // In order of (r, g, b).
      const list = [...exact].map((c) => ((c & 0xff) << 16) | (c & 0xff00) | (c >> 16)).sort((a, b) => a - b);
      return this.use(Uint8Array.from(list.flatMap((c) => [c >> 16, (c >> 8) & 0xff, c & 0xff])), list.length, true);
    }
    const { colours, weights } = this.histogram.points(MAX_POINTS);
    let counted = 0;
    for (let m = 0; m < weights.length; m++) counted += weights[m];
    const { boxes, error } = medianCut(colours, weights, size, enough * counted);
    const rounds = weights.length * boxes.length <= REFINE_BUDGET ? REFINE_ROUNDS : 1;
    const centres = refine(boxCentres(boxes, colours, weights), boxes.length, colours, weights, rounds);
    const out = new Uint8Array(boxes.length * 3);
    for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(centres[i])));
    return this.use(out, boxes.length, false, error / counted > COARSE_ERROR);
  }

  private use(colours: Uint8Array, size: number, exact: boolean, coarse = false): Palette {
    this.palette = { colours, size };
    this.search = new NearestSearch(colours, size);
    this.exact = exact;
    this.coarse = coarse;
    this.exactIndex.clear();
    this.cachedKeys.fill(-1);
    return this.palette;
  }

  /**
   * Bits of each channel that map() ignores: 0 for an exact palette, 1 at 7
   * bits per channel, 2 for a coarse palette. Colours that agree but for
   * these bits map to the same entry.
   */
  get ignoredBits(): number {
    return this.exact ? 0 : this.coarse ? 2 : 1;
  }

  /** The index of the palette entry nearest to (r, g, b), at 7 bits per channel (6 for a coarse palette). */
  map(r: number, g: number, b: number): number {
    if (this.exact) return this.mapExact(r, g, b);
    // Coarse keys live in the top of the key space (bit 21), apart from the fine ones.
    if (this.coarse) return this.lookup((1 << 21) | ((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2), (r & 0xfc) | 2, (g & 0xfc) | 2, (b & 0xfc) | 2);
    return this.lookup(((r >> 1) << 14) | ((g >> 1) << 7) | (b >> 1), (r & 0xfe) | 1, (g & 0xfe) | 1, (b & 0xfe) | 1);
  }

  /** The cached nearest entry for `key`, found for the key's centre colour the first time. */
  private lookup(key: number, r: number, g: number, b: number): number {
    const slot = Math.imul(key, 0x9e3779b1) >>> (32 - CACHE_BITS);
    if (this.cachedKeys[slot] === key) return this.cachedIndices[slot];
    const index = this.search.nearest(r, g, b);
    this.cachedKeys[slot] = key;
    this.cachedIndices[slot] = index;
    return index;
  }
}

/**
 * The nearest of a set of colours (palette entries, or k-means centres) by
 * squared RGB distance, ties to the lowest index, as in a plain scan. The
 * colours are sorted by green; the search walks outwards from the query's
 * green and stops once the green difference alone exceeds the best distance:
 * a few colours instead of all. Their components are kept in walk order, so
 * the walk reads memory one after another.
 */
class NearestSearch {
  private readonly order: Int32Array;
  private readonly reds: Float64Array;
  private readonly greens: Float64Array;
  private readonly blues: Float64Array;

  /** `colours`: r, g, b of each. */
  constructor(
    colours: ArrayLike<number>,
    private readonly size: number,
  ) {
    this.order = Int32Array.from({ length: size }, (_, i) => i).sort((a, b) => colours[a * 3 + 1] - colours[b * 3 + 1] || a - b);
    this.reds = Float64Array.from(this.order, (i) => colours[i * 3]);
    this.greens = Float64Array.from(this.order, (i) => colours[i * 3 + 1]);
    this.blues = Float64Array.from(this.order, (i) => colours[i * 3 + 2]);
  }

  nearest(r: number, g: number, b: number): number {
    const { order, reds, greens, blues, size } = this;
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (greens[mid] < g) lo = mid + 1;
      else hi = mid;
    }
    let best = 0;
    let bestDistance = Infinity;
    let up = lo;
    let down = lo - 1;
    while (up < size || down >= 0) {
      const upGap = up < size ? (greens[up] - g) ** 2 : Infinity;
      const downGap = down >= 0 ? (g - greens[down]) ** 2 : Infinity;
      if (upGap > bestDistance && downGap > bestDistance) break;
      const k = upGap <= downGap ? up++ : down--;
      const dr = reds[k] - r;
      const dg = greens[k] - g;
      const db = blues[k] - b;
      const d = dr * dr + dg * dg + db * db;
      const i = order[k];
      if (d < bestDistance || (d === bestDistance && i < best)) {
        bestDistance = d;
        best = i;
      }
    }
    return best;
  }
}
