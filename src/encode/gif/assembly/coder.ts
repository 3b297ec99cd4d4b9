/**
 * The GIF coder's work on pixels and colours, in AssemblyScript, compiled
 * ahead of time to WebAssembly (`npm run build:gif-coder` writes
 * ../coder-wasm.ts): the histogram, the palette (median cut and k-means), the
 * nearest palette entry of every pixel, the changed rectangle and the LZW
 * compression. As JavaScript this code ran slowly until V8 had compiled it,
 * and a GIF's thread compiled it afresh for every render; WebAssembly is
 * compiled once, at load, in milliseconds.
 *
 * Memory is laid out by `init` for one frame size; the JavaScript side
 * (../coder-kernel.ts) reads and writes it through typed arrays. Pixels are
 * colour words (../colour-words.ts): r, g, b, a as bytes from the lowest.
 * Integer and float arithmetic is that of the JavaScript it replaced, so the
 * same frames give the same bytes.
 */

// ---- Layout --------------------------------------------------------------

const BITS: i32 = 12;
const MAX_CODE: i32 = 1 << BITS;
/** The LZW child table: open addressing, twice the dictionary's size. */
const HASH_BITS: i32 = BITS + 1;
const HASH_SIZE: i32 = 1 << HASH_BITS;
/** Histogram: 6 bits per channel. */
const HIST_BITS: i32 = 6;
const HIST_SIZE: i32 = 1 << (3 * HIST_BITS);
/** Nearest-entry cache: a direct-mapped table of colour cells (see lookup). */
const CACHE_BITS: i32 = 16;
const CACHE_SIZE: i32 = 1 << CACHE_BITS;
/** Colours a search holds at most (palette entries or k-means centres). */
const SEARCH_MAX: i32 = 256;
/** Histogram points median cut and k-means work on at most (merged bins beyond). */
const POINTS_MAX: i32 = 4096;
/** Palette entries at most. */
const BOXES_MAX: i32 = 256;
/** k-means: three rounds, or one where points × colours is beyond this (it would cost more than the rest of a colourful frame's coding). */
const REFINE_ROUNDS: i32 = 3;
const REFINE_BUDGET: i32 = 1 << 18;

/** Pixels in a frame, and its width and height. */
let count: i32 = 0;
let width: i32 = 0;
let height: i32 = 0;

/** Addresses of the tables and per-pixel arrays (set by init; coder-kernel.ts reads the exported ones). */
let HASH: usize = 0;
let FIRST_CHILD: usize = 0;
let NEXT_SIBLING: usize = 0;
let SUFFIX: usize = 0;
/** The nearest-entry cache: per slot (see lookup), the rest of a colour cell's key above its entry's index. */
let CACHE: usize = 0;
/** The palette, a colour word per entry. */
export let PACKED: usize = 0;
/** Per palette entry: the squared distance to the nearest other entry (see lookup). */
let CLEARANCE: usize = 0;
/** The search's colours in order of green: their indices, then r, g and b as f64. */
let SEARCH_ORDER: usize = 0;
let SEARCH_POSITION: usize = 0;
let SEARCH_REDS: usize = 0;
let SEARCH_GREENS: usize = 0;
let SEARCH_BLUES: usize = 0;
/** The histogram's points (r, g, b as f64), their weights, and the index of each one's nearest centre. */
let POINTS: usize = 0;
let WEIGHTS: usize = 0;
let ASSIGNED: usize = 0;
/** Median cut: the points' order (each box a range of it), scratch, and per box its range and error. */
let MEMBERS: usize = 0;
let SCRATCH: usize = 0;
let BOX_START: usize = 0;
let BOX_END: usize = 0;
let BOX_ERROR: usize = 0;
let BUCKETS: usize = 0;
/** The palette's colours before rounding (r, g, b as f64), and k-means' sums. */
export let CENTRES: usize = 0;
let SUMS: usize = 0;
let TOTALS: usize = 0;
/** Merging bins: the merged counts and sums (f64), and the slot + 1 of each coarse bin. */
let MERGED: usize = 0;
let MERGED_SLOT: usize = 0;
/** Histogram bins: count and sums of r, g, b (u32 each) per bin; then the occupied bins, in first-seen order. */
export let BINS: usize = 0;
export let OCCUPIED: usize = 0;
/** Per pixel: the frame, what is on screen, the preferred symbol and whether the pixel may stay. */
export let PIXELS: usize = 0;
export let SCREEN: usize = 0;
export let PREFERRED: usize = 0;
export let SKIPPABLE: usize = 0;
/** The changed rectangle's pixels in order, for the compressor, and the symbols it chose. */
export let RECT_PREFERRED: usize = 0;
export let RECT_SKIPPABLE: usize = 0;
export let RECT_EXACT: usize = 0;
let CHOSEN: usize = 0;
/** Compressed image data. */
export let OUT: usize = 0;

function take(at: usize, bytes: i32): usize {
  return (at + <usize>bytes + 15) & ~15;
}

/** Lays memory out for frames of `w`×`h` pixels. Call once, before anything else. */
export function init(w: i32, h: i32): void {
  width = w;
  height = h;
  count = w * h;
  let at: usize = (__heap_base + 15) & ~15;
  HASH = at;
  at = take(at, HASH_SIZE * 4);
  FIRST_CHILD = at;
  at = take(at, MAX_CODE * 2);
  NEXT_SIBLING = at;
  at = take(at, MAX_CODE * 2);
  SUFFIX = at;
  at = take(at, MAX_CODE);
  CACHE = at;
  at = take(at, CACHE_SIZE * 2);
  PACKED = at;
  at = take(at, 256 * 4);
  CLEARANCE = at;
  at = take(at, 256 * 4);
  SEARCH_ORDER = at;
  at = take(at, SEARCH_MAX * 4);
  SEARCH_POSITION = at;
  at = take(at, SEARCH_MAX * 4);
  SEARCH_REDS = at;
  at = take(at, SEARCH_MAX * 8);
  SEARCH_GREENS = at;
  at = take(at, SEARCH_MAX * 8);
  SEARCH_BLUES = at;
  at = take(at, SEARCH_MAX * 8);
  POINTS = at;
  at = take(at, POINTS_MAX * 3 * 8);
  WEIGHTS = at;
  at = take(at, POINTS_MAX * 8);
  ASSIGNED = at;
  at = take(at, POINTS_MAX * 4);
  MEMBERS = at;
  at = take(at, POINTS_MAX * 4);
  SCRATCH = at;
  at = take(at, POINTS_MAX * 4);
  BOX_START = at;
  at = take(at, BOXES_MAX * 4);
  BOX_END = at;
  at = take(at, BOXES_MAX * 4);
  BOX_ERROR = at;
  at = take(at, BOXES_MAX * 8);
  BUCKETS = at;
  at = take(at, 256 * 8);
  CENTRES = at;
  at = take(at, BOXES_MAX * 3 * 8);
  SUMS = at;
  at = take(at, BOXES_MAX * 3 * 8);
  TOTALS = at;
  at = take(at, BOXES_MAX * 8);
  MERGED_SLOT = at;
  at = take(at, (1 << (3 * (HIST_BITS - 1))) * 4);
  MERGED = at;
  at = take(at, (1 << (3 * (HIST_BITS - 1))) * 4 * 8);
  BINS = at;
  at = take(at, HIST_SIZE * 16);
  OCCUPIED = at;
  at = take(at, HIST_SIZE * 4);
  PIXELS = at;
  at = take(at, count * 4);
  SCREEN = at;
  at = take(at, count * 4);
  PREFERRED = at;
  at = take(at, count);
  SKIPPABLE = at;
  at = take(at, count);
  RECT_PREFERRED = at;
  at = take(at, count);
  RECT_SKIPPABLE = at;
  at = take(at, count);
  RECT_EXACT = at;
  at = take(at, count * 4);
  CHOSEN = at;
  at = take(at, count);
  OUT = at;
  // LZW writes at most 12 bits a pixel, a length byte per 255 and a few bytes more.
  at = take(at, count * 2 + 4096);
  const pages = <i32>((at + 0xffff) >> 16) - memory.size();
  if (pages > 0 && memory.grow(pages) < 0) unreachable();
}

// ---- Colours -------------------------------------------------------------

/** The squared distance of two colour words (the top byte ignored). */
@inline
function squaredDistance(a: u32, b: u32): i32 {
  const dr = <i32>(a & 0xff) - <i32>(b & 0xff);
  const dg = <i32>((a >> 8) & 0xff) - <i32>((b >> 8) & 0xff);
  const db = <i32>((a >> 16) & 0xff) - <i32>((b >> 16) & 0xff);
  return dr * dr + dg * dg + db * db;
}

/** Whether two colour words (the top byte ignored) differ by at most `tolerance` on every channel; branch-free. */
@inline
function within(a: u32, b: u32, tolerance: i32): bool {
  const dr = <i32>(a & 0xff) - <i32>(b & 0xff);
  const dg = <i32>((a >> 8) & 0xff) - <i32>((b >> 8) & 0xff);
  const db = <i32>((a >> 16) & 0xff) - <i32>((b >> 16) & 0xff);
  return (<i32>(abs(dr) <= tolerance) & <i32>(abs(dg) <= tolerance) & <i32>(abs(db) <= tolerance)) != 0;
}

/** The squared distance of two colour words, or −1 where they differ by more than `tolerance` on any channel. */
@inline
function distanceWithin(a: u32, b: u32, tolerance: i32): i32 {
  return within(a, b, tolerance) ? squaredDistance(a, b) : -1;
}

// ---- Histogram -----------------------------------------------------------

let occupiedCount: i32 = 0;

/**
 * Counts every `step`-th pixel of each row into the bins, shifted row by row
 * (a checkerboard for step 2) so that no column is left out everywhere;
 * returns how many bins are occupied. The last frame's bins are emptied first.
 */
export function histogram(step: i32): i32 {
  for (let k = 0; k < occupiedCount; k++) {
    const at = BINS + (<usize>load<i32>(OCCUPIED + (<usize>k << 2)) << 4);
    store<u64>(at, 0);
    store<u64>(at + 8, 0);
  }
  occupiedCount = 0;
  for (let row = 0, y = 0; row < count; row += width, y++) {
    const end = min(row + width, count);
    for (let i = row + (y % step); i < end; i += step) {
      const v = load<u32>(PIXELS + (<usize>i << 2));
      const r = v & 0xff;
      const g = (v >> 8) & 0xff;
      const b = (v >> 16) & 0xff;
      const bin = ((r >> (8 - HIST_BITS)) << (2 * HIST_BITS)) | ((g >> (8 - HIST_BITS)) << HIST_BITS) | (b >> (8 - HIST_BITS));
      const at = BINS + (<usize>bin << 4);
      const n = load<u32>(at);
      if (n == 0) {
        store<i32>(OCCUPIED + (<usize>occupiedCount << 2), bin);
        occupiedCount++;
      }
      store<u32>(at, n + 1);
      store<u32>(at, load<u32>(at, 4) + r, 4);
      store<u32>(at, load<u32>(at, 8) + g, 8);
      store<u32>(at, load<u32>(at, 12) + b, 12);
    }
  }
  return occupiedCount;
}

// ---- Nearest colour ------------------------------------------------------

let searchSize: i32 = 0;

/** The search now holds `size` colours (SEARCH_ORDER and the components, sorted by green). */
function setSearch(size: i32): void {
  searchSize = size;
  for (let k = 0; k < size; k++) store<i32>(SEARCH_POSITION + (<usize>load<i32>(SEARCH_ORDER + (<usize>k << 2)) << 2), k);
}

/**
 * The nearest of the search's colours by squared RGB distance, ties to the
 * lowest index. The colours are sorted by green: from the query's green, the
 * search walks up until the green difference alone exceeds the best
 * distance, then down the same way, and so looks at a few colours instead of
 * all. `seed`, a colour likely to be near (the last pixel's, the point's last
 * centre), sets the first best distance, so the walks stop early; it cannot
 * change the answer, since every colour at least as near is still visited.
 */
function nearest(r: f64, g: f64, b: f64, seed: i32): i32 {
  const size = searchSize;
  // The first colour whose green is at least g (branch-free: the branch would be a coin toss).
  let lo = 0;
  let span = size;
  while (span > 0) {
    const half = span >> 1;
    const below = load<f64>(SEARCH_GREENS + (<usize>(lo + half) << 3)) < g;
    lo = select<i32>(lo + half + 1, lo, below);
    span = select<i32>(span - half - 1, half, below);
  }
  const at = <usize>load<i32>(SEARCH_POSITION + (<usize>seed << 2)) << 3;
  const sr = load<f64>(SEARCH_REDS + at) - r;
  const sg = load<f64>(SEARCH_GREENS + at) - g;
  const sb = load<f64>(SEARCH_BLUES + at) - b;
  let best = seed;
  let bestDistance = sr * sr + sg * sg + sb * sb;
  // Each step is branch-free but for the walk's end: which colour is nearer is a coin toss.
  for (let k = lo; k < size; k++) {
    const dg = load<f64>(SEARCH_GREENS + (<usize>k << 3)) - g;
    if (dg * dg > bestDistance) break;
    const dr = load<f64>(SEARCH_REDS + (<usize>k << 3)) - r;
    const db = load<f64>(SEARCH_BLUES + (<usize>k << 3)) - b;
    const d = dr * dr + dg * dg + db * db;
    const i = load<i32>(SEARCH_ORDER + (<usize>k << 2));
    const nearer = (<i32>(d < bestDistance) | (<i32>(d == bestDistance) & <i32>(i < best))) != 0;
    best = select<i32>(i, best, nearer);
    bestDistance = select<f64>(d, bestDistance, nearer);
  }
  for (let k = lo - 1; k >= 0; k--) {
    const dg = load<f64>(SEARCH_GREENS + (<usize>k << 3)) - g;
    if (dg * dg > bestDistance) break;
    const dr = load<f64>(SEARCH_REDS + (<usize>k << 3)) - r;
    const db = load<f64>(SEARCH_BLUES + (<usize>k << 3)) - b;
    const d = dr * dr + dg * dg + db * db;
    const i = load<i32>(SEARCH_ORDER + (<usize>k << 2));
    const nearer = (<i32>(d < bestDistance) | (<i32>(d == bestDistance) & <i32>(i < best))) != 0;
    best = select<i32>(i, best, nearer);
    bestDistance = select<f64>(d, bestDistance, nearer);
  }
  return best;
}

/**
 * k-means: the nearest centre of each of the first `n` points, into
 * ASSIGNED, which holds each point's last centre (or its box's) as the seed.
 */
function assign(n: i32): void {
  for (let m = 0; m < n; m++) {
    const at = POINTS + <usize>m * 24;
    const to = ASSIGNED + (<usize>m << 2);
    store<i32>(to, nearest(load<f64>(at), load<f64>(at, 8), load<f64>(at, 16), load<i32>(to)));
  }
}

// ---- Palette -------------------------------------------------------------
//
// Median cut over the histogram's points, then a few rounds of k-means (see
// ../palette.ts for the why). Sums over a box's points are taken in the
// order of its members, which is always the same for the same frame.

@inline
function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

@inline
function i32At(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}

/** Whether item a comes before item b: by `values[item * 3 + channel]`, then by index. */
@inline
function before(a: i32, b: i32, values: usize, channel: i32): bool {
  const va = f64At(values, a * 3 + channel);
  const vb = f64At(values, b * 3 + channel);
  return va < vb || (va == vb && a < b);
}

function siftDown(items: usize, root: i32, count: i32, values: usize, channel: i32): void {
  while (true) {
    let child = 2 * root + 1;
    if (child >= count) return;
    if (child + 1 < count && before(i32At(items, child), i32At(items, child + 1), values, channel)) child++;
    const r = i32At(items, root);
    const c = i32At(items, child);
    if (!before(r, c, values, channel)) return;
    store<i32>(items + (<usize>root << 2), c);
    store<i32>(items + (<usize>child << 2), r);
    root = child;
  }
}

/** Sorts `count` item indices at `items` by their channel's value, then by index (heapsort: bounded, and the order is total). */
function sortItems(items: usize, count: i32, values: usize, channel: i32): void {
  for (let root = (count >> 1) - 1; root >= 0; root--) siftDown(items, root, count, values, channel);
  for (let end = count - 1; end > 0; end--) {
    const top = i32At(items, 0);
    store<i32>(items, i32At(items, end));
    store<i32>(items + (<usize>end << 2), top);
    siftDown(items, 0, end, values, channel);
  }
}

/**
 * The search now holds the first `size` colours of CENTRES (r, g, b as f64),
 * sorted by green, ties by index.
 */
export function searchCentres(size: i32): void {
  for (let i = 0; i < size; i++) store<i32>(SEARCH_ORDER + (<usize>i << 2), i);
  sortItems(SEARCH_ORDER, size, CENTRES, 1);
  for (let k = 0; k < size; k++) {
    const i = i32At(SEARCH_ORDER, k);
    store<f64>(SEARCH_REDS + (<usize>k << 3), f64At(CENTRES, i * 3));
    store<f64>(SEARCH_GREENS + (<usize>k << 3), f64At(CENTRES, i * 3 + 1));
    store<f64>(SEARCH_BLUES + (<usize>k << 3), f64At(CENTRES, i * 3 + 2));
  }
  setSearch(size);
}

/**
 * The occupied bins as points (POINTS: mean colour; WEIGHTS: count), in
 * first-seen order; returns how many. More than `limit` bins are merged into
 * coarser ones (one bit less per channel at a time, exact means kept):
 * median cut sorts its points at every split, and a colourful frame can
 * occupy tens of thousands of bins where a few thousand place 256 colours as well.
 */
function histogramPoints(limit: i32): i32 {
  let n = occupiedCount;
  let merged = false;
  for (let drop = 1; n > limit && drop < HIST_BITS; drop++) {
    const bits = HIST_BITS - drop;
    const keep = (1 << bits) - 1;
    const slots = 1 << (3 * bits);
    memory.fill(MERGED_SLOT, 0, slots * 4);
    memory.fill(MERGED, 0, min(n, slots) * 32);
    n = 0;
    for (let o = 0; o < occupiedCount; o++) {
      const bin = i32At(OCCUPIED, o);
      const coarse = (((bin >> (2 * HIST_BITS + drop)) & keep) << (2 * bits)) | (((bin >> (HIST_BITS + drop)) & keep) << bits) | ((bin >> drop) & keep);
      let slot = i32At(MERGED_SLOT, coarse) - 1;
      if (slot < 0) {
        slot = n++;
        store<i32>(MERGED_SLOT + (<usize>coarse << 2), slot + 1);
      }
      const to = MERGED + (<usize>slot << 5);
      const from = BINS + (<usize>bin << 4);
      for (let c = 0; c < 4; c++) store<f64>(to + (<usize>c << 3), load<f64>(to + (<usize>c << 3)) + <f64>load<u32>(from + (<usize>c << 2)));
    }
    merged = true;
  }
  for (let k = 0; k < n; k++) {
    let w: f64;
    let r: f64;
    let g: f64;
    let b: f64;
    if (merged) {
      const at = MERGED + (<usize>k << 5);
      w = load<f64>(at);
      r = load<f64>(at, 8);
      g = load<f64>(at, 16);
      b = load<f64>(at, 24);
    } else {
      const at = BINS + (<usize>i32At(OCCUPIED, k) << 4);
      w = <f64>load<u32>(at);
      r = <f64>load<u32>(at, 4);
      g = <f64>load<u32>(at, 8);
      b = <f64>load<u32>(at, 12);
    }
    store<f64>(WEIGHTS + (<usize>k << 3), w);
    store<f64>(POINTS + <usize>k * 24, r / w);
    store<f64>(POINTS + <usize>k * 24 + 8, g / w);
    store<f64>(POINTS + <usize>k * 24 + 16, b / w);
  }
  return n;
}

/** The weighted squared error of the box of members[start..end) around its weighted mean (0 for a single point). */
function boxError(start: i32, end: i32): f64 {
  let w = 0.0;
  let sr = 0.0;
  let sg = 0.0;
  let sb = 0.0;
  for (let i = start; i < end; i++) {
    const m = i32At(MEMBERS, i);
    const wm = f64At(WEIGHTS, m);
    w += wm;
    sr += f64At(POINTS, m * 3) * wm;
    sg += f64At(POINTS, m * 3 + 1) * wm;
    sb += f64At(POINTS, m * 3 + 2) * wm;
  }
  let error = 0.0;
  for (let i = start; i < end; i++) {
    const m = i32At(MEMBERS, i);
    const wm = f64At(WEIGHTS, m);
    const dr = f64At(POINTS, m * 3) - sr / w;
    error += dr * dr * wm;
    const dg = f64At(POINTS, m * 3 + 1) - sg / w;
    error += dg * dg * wm;
    const db = f64At(POINTS, m * 3 + 2) - sb / w;
    error += db * db * wm;
  }
  return end - start > 1 ? error : 0;
}

@inline
function bucketOf(value: f64): i32 {
  return min(255, max(0, <i32>Math.floor(value)));
}

/**
 * Splits box b at the weighted median of its widest channel: reorders its
 * members (those below the cut first: below the median's bucket and above it
 * each in the members' order, the median's bucket sorted) and returns where
 * the second box starts.
 */
function split(b: i32): i32 {
  const start = i32At(BOX_START, b);
  const end = i32At(BOX_END, b);
  let channel = 0;
  let widest = -1.0;
  for (let c = 0; c < 3; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const v = f64At(POINTS, i32At(MEMBERS, i) * 3 + c);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi - lo > widest) {
      widest = hi - lo;
      channel = c;
    }
  }
  // In order of the channel only as far as the cut needs it: by whole value
  // into 256 buckets, and only the bucket where the weighted median falls sorted.
  memory.fill(BUCKETS, 0, 256 * 8);
  let total = 0.0;
  for (let i = start; i < end; i++) {
    const m = i32At(MEMBERS, i);
    const at = BUCKETS + (<usize>bucketOf(f64At(POINTS, m * 3 + channel)) << 3);
    store<f64>(at, load<f64>(at) + f64At(WEIGHTS, m));
    total += f64At(WEIGHTS, m);
  }
  let median = 0;
  let below = 0.0;
  while (median < 255 && below + f64At(BUCKETS, median) < total / 2) {
    below += f64At(BUCKETS, median);
    median++;
  }
  let low = start;
  let rest = 0;
  for (let i = start; i < end; i++) {
    const m = i32At(MEMBERS, i);
    if (bucketOf(f64At(POINTS, m * 3 + channel)) < median) {
      store<i32>(MEMBERS + (<usize>low << 2), m);
      low++;
    } else {
      store<i32>(SCRATCH + (<usize>rest << 2), m);
      rest++;
    }
  }
  let middleEnd = low;
  let high = 0;
  for (let j = 0; j < rest; j++) {
    const m = i32At(SCRATCH, j);
    if (bucketOf(f64At(POINTS, m * 3 + channel)) == median) {
      store<i32>(MEMBERS + (<usize>middleEnd << 2), m);
      middleEnd++;
    } else {
      store<i32>(SCRATCH + (<usize>high << 2), m);
      high++;
    }
  }
  memory.copy(MEMBERS + (<usize>middleEnd << 2), SCRATCH, <usize>high << 2);
  sortItems(MEMBERS + (<usize>low << 2), middleEnd - low, POINTS, channel);
  let running = 0.0;
  let cut = start + 1;
  for (; cut < end - 1; cut++) {
    running += f64At(WEIGHTS, i32At(MEMBERS, cut - 1));
    if (running >= total / 2) break;
  }
  return cut;
}

function setBox(b: i32, start: i32, end: i32): f64 {
  const error = boxError(start, end);
  store<i32>(BOX_START + (<usize>b << 2), start);
  store<i32>(BOX_END + (<usize>b << 2), end);
  store<f64>(BOX_ERROR + (<usize>b << 3), error);
  return error;
}

/** The summed squared error of the palette last made, and the weight of the points it was made from. */
export let paletteError: f64 = 0;
export let paletteWeight: f64 = 0;

/**
 * Makes the palette of the last histogram: median cut of its points until
 * there are `size` boxes or their mean squared error per pixel is at most
 * `enough`, then k-means. Leaves the colours (unrounded) in CENTRES and
 * returns how many.
 */
export function palette(size: i32, enough: f64): i32 {
  const n = histogramPoints(POINTS_MAX);
  let counted = 0.0;
  for (let m = 0; m < n; m++) counted += f64At(WEIGHTS, m);
  // Median cut: split the worst box until there are enough boxes or they are close enough.
  for (let i = 0; i < n; i++) store<i32>(MEMBERS + (<usize>i << 2), i);
  let error = setBox(0, 0, n);
  let boxes = 1;
  const good = enough * counted;
  while (boxes < size && error > good) {
    let worst = 0;
    for (let b = 1; b < boxes; b++) if (f64At(BOX_ERROR, b) > f64At(BOX_ERROR, worst)) worst = b;
    const worstError = f64At(BOX_ERROR, worst);
    if (worstError <= 0) break;
    const start = i32At(BOX_START, worst);
    const end = i32At(BOX_END, worst);
    const cut = split(worst);
    error -= worstError;
    const a = setBox(worst, start, cut);
    const b = setBox(boxes++, cut, end);
    error += a + b;
  }
  paletteError = error;
  paletteWeight = counted;
  // The weighted mean of each box; each point's box is where the search for its nearest centre starts.
  for (let k = 0; k < boxes; k++) {
    let w = 0.0;
    let sr = 0.0;
    let sg = 0.0;
    let sb = 0.0;
    for (let i = i32At(BOX_START, k); i < i32At(BOX_END, k); i++) {
      const m = i32At(MEMBERS, i);
      const wm = f64At(WEIGHTS, m);
      w += wm;
      sr += f64At(POINTS, m * 3) * wm;
      sg += f64At(POINTS, m * 3 + 1) * wm;
      sb += f64At(POINTS, m * 3 + 2) * wm;
      store<i32>(ASSIGNED + (<usize>m << 2), k);
    }
    store<f64>(CENTRES + <usize>k * 24, sr / w);
    store<f64>(CENTRES + <usize>k * 24 + 8, sg / w);
    store<f64>(CENTRES + <usize>k * 24 + 16, sb / w);
  }
  // k-means: each centre moves to the weighted mean of the points nearest to it.
  const rounds = n * boxes <= REFINE_BUDGET ? REFINE_ROUNDS : 1;
  for (let round = 0; round < rounds; round++) {
    memory.fill(SUMS, 0, boxes * 24);
    memory.fill(TOTALS, 0, boxes * 8);
    searchCentres(boxes);
    assign(n);
    for (let m = 0; m < n; m++) {
      const k = i32At(ASSIGNED, m);
      const wm = f64At(WEIGHTS, m);
      const total = TOTALS + (<usize>k << 3);
      store<f64>(total, load<f64>(total) + wm);
      for (let c = 0; c < 3; c++) {
        const sum = SUMS + (<usize>(k * 3 + c) << 3);
        store<f64>(sum, load<f64>(sum) + f64At(POINTS, m * 3 + c) * wm);
      }
    }
    for (let k = 0; k < boxes; k++) {
      const total = f64At(TOTALS, k);
      if (total > 0) for (let c = 0; c < 3; c++) store<f64>(CENTRES + (<usize>(k * 3 + c) << 3), f64At(SUMS, k * 3 + c) / total);
    }
  }
  return boxes;
}

/** How colours are looked up: the palette holds the frame's exact colours, or 7 bits per channel, or 6 (coarse). */
const EXACT: i32 = 0;
const COARSE: i32 = 2;
/** Per lookup mode: the bits of a channel that are ignored, and so the key and centre of a colour's cell. */
let ignored: i32 = 1;
let keyMask: u32 = 0x7f7f7f;
let cellMask: u32 = 0xfefefe;
let cellCentre: u32 = 0x010101;
/** The entry map() found last: where its next search starts. */
let lastMapped: i32 = 0;

/**
 * The search now holds the frame's palette (also in PACKED), looked up as
 * `mode` says; forgets the last palette's lookups.
 */
export function usePalette(size: i32, mode: i32): void {
  lastMapped = 0;
  for (let i = 0; i < size; i++) {
    const a = load<u32>(PACKED + (<usize>i << 2));
    let clearance = i32.MAX_VALUE;
    for (let j = 0; j < size; j++) {
      const d = squaredDistance(a, load<u32>(PACKED + (<usize>j << 2)));
      clearance = select<i32>(clearance, d, i == j || d >= clearance);
    }
    store<i32>(CLEARANCE + (<usize>i << 2), clearance);
  }
  ignored = mode == EXACT ? 0 : mode == COARSE ? 2 : 1;
  keyMask = (<u32>0xff >> ignored) * 0x010101;
  cellMask = ((<u32>0xff << ignored) & 0xff) * 0x010101;
  cellCentre = ignored == 0 ? 0 : (<u32>1 << (ignored - 1)) * 0x010101;
  // All ones: empty. (The cell of the brightest colours with entry 255 looks the same, and is then simply searched again.)
  memory.fill(CACHE, 0xff, CACHE_SIZE * 2);
}

/** Bits of each channel that map() ignores: colours that agree but for these map to the same entry. */
export function ignoredBits(): i32 {
  return ignored;
}

/**
 * The index of the palette entry nearest to a colour word: nearest to the
 * centre of its cell (the colours that agree but for the ignored bits),
 * cached per cell in a direct-mapped table (a cell that loses its slot is
 * simply searched again). `seed`: an entry likely to be near.
 *
 * A cell's key is its r, g and b as bytes. The slot is the low 5 bits of r
 * and g and 6 of b, so neighbouring colours share cache lines: a frame looks
 * up tens of thousands of cells, and a hashed slot missed the processor's
 * cache on almost every pixel. The slot holds the rest of the key (8 bits at
 * most) above the entry's index.
 */
@inline
function lookup(colour: u32, seed: i32): i32 {
  const key = (colour >> ignored) & keyMask;
  const slot = <usize>((key & 0x1f) | ((key >> 3) & 0x3e0) | ((key >> 6) & 0xfc00));
  const tag = ((key >> 5) & 7) | ((key >> 10) & 0x38) | ((key >> 16) & 0xc0);
  const cached = <u32>load<u16>(CACHE + (slot << 1));
  if (cached >> 8 == tag && cached != 0xffff) return cached & 0xff;
  const centre = (colour & cellMask) | cellCentre;
  // The seed is the answer when the centre is nearer to it than half the way to any other entry.
  const near = 4 * squaredDistance(centre, load<u32>(PACKED + (<usize>seed << 2)));
  const index = near < load<i32>(CLEARANCE + (<usize>seed << 2)) ? seed : nearest(<f64>(centre & 0xff), <f64>((centre >> 8) & 0xff), <f64>(centre >> 16), seed);
  store<u16>(CACHE + (slot << 1), (tag << 8) | index);
  return index;
}

/** The index of the palette entry nearest to (r, g, b), at 7 bits per channel (6 for a coarse palette, 8 for an exact one). */
export function map(r: i32, g: i32, b: i32): i32 {
  return (lastMapped = lookup(<u32>(r | (g << 8) | (b << 16)), lastMapped));
}

// ---- Mapping a frame -----------------------------------------------------

/** The rectangle of pixels that change (maxX −1: none), from mapNearest. */
export let minX: i32 = 0;
export let minY: i32 = 0;
export let maxX: i32 = 0;
export let maxY: i32 = 0;

/**
 * Undithered: each pixel's nearest palette colour (PREFERRED), whether it
 * may stay as it is (SKIPPABLE, within `tolerance` of what is on screen),
 * and the rectangle of pixels that change. A pixel whose colour would not
 * change at all is transparent by default. `first`: nothing is on screen yet.
 */
export function mapNearest(first: bool, transparent: i32, tolerance: i32): void {
  if (first) {
    mapFirst();
    return;
  }
  // Addresses in locals: the globals would be read again after every search.
  const pixels = PIXELS;
  const screen = SCREEN;
  const packed = PACKED;
  const preferred = PREFERRED;
  const skippable = SKIPPABLE;
  const w = width;
  const h = height;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  // The last pixel's entry: where the search for a new colour starts.
  let lastIndex = 0;
  for (let y = 0; y < h; y++) {
    // Branch-free, with the row's changed span kept apart from the frame's:
    // whether a pixel stays is a coin toss in a moving picture, and the
    // loop has few registers to spare.
    let rowFirst = w;
    let rowLast = -1;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const p = row + x;
      const colour = load<u32>(pixels + (<usize>p << 2)) & 0xffffff;
      const index = lookup(colour, lastIndex);
      lastIndex = index;
      const shown = load<u32>(screen + (<usize>p << 2));
      const stays = load<u32>(packed + (<usize>index << 2)) == shown;
      store<u8>(skippable + p, <u8>(stays | within(colour, shown, tolerance)));
      store<u8>(preferred + p, select<i32>(transparent, index, stays));
      rowFirst = min(rowFirst, select<i32>(w, x, stays));
      rowLast = select<i32>(rowLast, x, stays);
    }
    if (rowLast >= 0) {
      x0 = min(x0, rowFirst);
      x1 = max(x1, rowLast);
      if (y0 == h) y0 = y;
      y1 = y;
    }
  }
  minX = x0;
  minY = y0;
  maxX = x1;
  maxY = y1;
}

/** mapNearest for the first frame: every pixel gets its nearest entry and changes. */
function mapFirst(): void {
  const pixels = PIXELS;
  const preferred = PREFERRED;
  let lastIndex = 0;
  for (let p = 0; p < count; p++) {
    lastIndex = lookup(load<u32>(pixels + (<usize>p << 2)) & 0xffffff, lastIndex);
    store<u8>(preferred + p, lastIndex);
  }
  memory.fill(SKIPPABLE, 0, count);
  minX = 0;
  minY = 0;
  maxX = width - 1;
  maxY = height - 1;
}

/** Copies the rectangle's preferred symbols, skippable flags and colours into the RECT_ arrays, row after row. */
export function copyRect(x0: i32, y0: i32, w: i32, h: i32): void {
  for (let y = 0; y < h; y++) {
    const from = (y0 + y) * width + x0;
    const to = y * w;
    memory.copy(RECT_PREFERRED + to, PREFERRED + from, w);
    memory.copy(RECT_SKIPPABLE + to, SKIPPABLE + from, w);
    memory.copy(RECT_EXACT + (<usize>to << 2), PIXELS + (<usize>from << 2), w << 2);
  }
}

/** What the viewer sees after the rectangle is drawn: each chosen colour, except where transparent. */
export function updateScreen(x0: i32, y0: i32, w: i32, h: i32, transparent: i32): void {
  for (let y = 0, i = 0; y < h; y++) {
    for (let x = 0, p = (y0 + y) * width + x0; x < w; x++, p++, i++) {
      const symbol = <i32>load<u8>(CHOSEN + i);
      if (symbol != transparent) store<u32>(SCREEN + (<usize>p << 2), load<u32>(PACKED + (<usize>symbol << 2)));
    }
  }
}

// ---- LZW -----------------------------------------------------------------
//
// GIF's LZW compression: variable-width codes up to 12 bits, packed least
// significant bit first, cut into sub-blocks of at most 255 bytes.
//
// The dictionary is a trie (each code lists its children), so a string can
// be extended by any symbol close enough to the pixel's true colour, not only
// its preferred one: a bounded colour error buys longer strings (the idea
// behind gifsicle's --lossy). With a negative tolerance it is plain lossless
// LZW. Most pixels continue their string with their own symbol, found in one
// step in the hash table of children; only when that child is missing are
// the siblings searched for a colour close enough.
//
// A hash slot holds −1 while empty, or the pair, (prefix << 8) | symbol (20
// bits), above the pair's code (12 bits): one load per lookup. No slot ever
// holds −1 itself: that would be code 4095 as a child of prefix 4095, and no
// code is added after 4095.

let outLength: i32 = 0;
let blockStart: i32 = 0;
let blockLength: i32 = 0;
let accumulator: u32 = 0;
let accumulated: i32 = 0;
let codeBits: i32 = 0;
let initBits: i32 = 0;
let maxCode: i32 = 0;
let nextCode: i32 = 0;
let clearing: bool = false;

@inline
function slotOf(pair: i32): i32 {
  return <i32>((<u32>pair * 0x9e3779b1) >> (32 - HASH_BITS));
}

function findChild(prefix: i32, symbol: i32): i32 {
  const pair = (prefix << 8) | symbol;
  let h = slotOf(pair);
  let entry = load<i32>(HASH + (<usize>h << 2));
  while (entry != -1) {
    if (<i32>(<u32>entry >> BITS) == pair) return entry & (MAX_CODE - 1);
    h = (h + 1) & (HASH_SIZE - 1);
    entry = load<i32>(HASH + (<usize>h << 2));
  }
  return -1;
}

function addChild(prefix: i32, symbol: i32, code: i32): void {
  const pair = (prefix << 8) | symbol;
  let h = slotOf(pair);
  while (load<i32>(HASH + (<usize>h << 2)) != -1) h = (h + 1) & (HASH_SIZE - 1);
  store<i32>(HASH + (<usize>h << 2), (pair << BITS) | code);
}

function outByte(byte: u32): void {
  store<u8>(OUT + outLength++, byte);
}

/** Adds a byte to the current sub-block, opening one (its length byte comes first) as needed. */
function blockByte(byte: u32): void {
  if (blockLength == 0) blockStart = outLength++;
  outByte(byte);
  if (++blockLength == 255) {
    store<u8>(OUT + blockStart, 255);
    blockLength = 0;
  }
}

function flushBlock(): void {
  if (blockLength == 0) return;
  store<u8>(OUT + blockStart, blockLength);
  blockLength = 0;
}

/** Writes a code at the current width; the width rules of Unix compress, which every GIF decoder follows. */
function emit(code: i32): void {
  accumulator |= <u32>code << accumulated;
  accumulated += codeBits;
  while (accumulated >= 8) {
    blockByte(accumulator & 0xff);
    accumulator >>= 8;
    accumulated -= 8;
  }
  if (nextCode > maxCode || clearing) {
    if (clearing) {
      codeBits = initBits;
      clearing = false;
    } else {
      codeBits++;
    }
    maxCode = codeBits == BITS ? MAX_CODE : (1 << codeBits) - 1;
  }
}

function resetDictionary(): void {
  memory.fill(FIRST_CHILD, 0xff, MAX_CODE * 2);
  memory.fill(HASH, 0xff, HASH_SIZE * 4);
}

/**
 * The squared colour error of showing `symbol` at pixel p, or −1 where it
 * may not stand there: 0 for the pixel's own symbol, 1 for transparency
 * where the pixel may stay as it is, the distance for a palette colour within
 * the tolerance on every channel.
 */
@inline
function symbolError(preferred: usize, skippable: usize, exact: usize, p: i32, symbol: i32, paletteSize: i32, transparent: i32, tolerance: i32): i32 {
  if (symbol == <i32>load<u8>(preferred + p)) return 0;
  if (symbol == transparent) return load<u8>(skippable + p) == 1 ? 1 : -1;
  if (tolerance < 0 || symbol >= paletteSize) return -1;
  return distanceWithin(load<u32>(PACKED + (<usize>symbol << 2)), load<u32>(exact + (<usize>p << 2)), tolerance);
}

/**
 * Compresses `n` pixels (their preferred symbols, skippable flags and true
 * colours at the given addresses) into OUT: the minimum code size, the image
 * data sub-blocks and the terminating empty block. The symbol finally written
 * for each pixel goes to CHOSEN. Returns the number of bytes written.
 * `tolerance`: the largest error per channel a string may add (negative: only
 * each pixel's preferred symbol); `transparent`: the transparent index, or −1.
 */
export function lzw(preferred: usize, skippable: usize, exact: usize, n: i32, minCodeSize: i32, paletteSize: i32, transparent: i32, tolerance: i32): i32 {
  outLength = 0;
  blockLength = 0;
  accumulator = 0;
  accumulated = 0;
  outByte(minCodeSize);
  const clearCode = 1 << minCodeSize;
  const endCode = clearCode + 1;
  initBits = minCodeSize + 1;
  codeBits = initBits;
  maxCode = (1 << codeBits) - 1;
  nextCode = clearCode + 2;
  clearing = false;
  resetDictionary();
  emit(clearCode);
  const lossy = tolerance >= 0;
  if (n > 0) {
    // `prefix` is the code of the string so far; each pixel's symbol is final once it joins a string.
    let prefix = <i32>load<u8>(preferred);
    store<u8>(CHOSEN, prefix);
    for (let p = 1; p < n; p++) {
      const symbol = <i32>load<u8>(preferred + p);
      // The pixel's own symbol continues the string when it can (no error at all).
      const own = findChild(prefix, symbol);
      if (own >= 0) {
        prefix = own;
        store<u8>(CHOSEN + p, symbol);
        continue;
      }
      // Otherwise, of the acceptable continuations, the one closest to the pixel's true colour.
      let child = lossy || load<u8>(skippable + p) == 1 ? <i32>load<i16>(FIRST_CHILD + (<usize>prefix << 1)) : -1;
      let match = -1;
      let matchError = i32.MAX_VALUE;
      while (child >= 0) {
        const error = symbolError(preferred, skippable, exact, p, <i32>load<u8>(SUFFIX + child), paletteSize, transparent, tolerance);
        if (error >= 0 && error < matchError) {
          match = child;
          matchError = error;
          if (error == 0) break;
        }
        child = <i32>load<i16>(NEXT_SIBLING + (<usize>child << 1));
      }
      if (match >= 0) {
        prefix = match;
        store<u8>(CHOSEN + p, load<u8>(SUFFIX + match));
        continue;
      }
      emit(prefix);
      if (nextCode < MAX_CODE) {
        const code = nextCode++;
        store<u8>(SUFFIX + code, symbol);
        store<i16>(FIRST_CHILD + (<usize>code << 1), -1);
        store<i16>(NEXT_SIBLING + (<usize>code << 1), load<i16>(FIRST_CHILD + (<usize>prefix << 1)));
        store<i16>(FIRST_CHILD + (<usize>prefix << 1), code);
        addChild(prefix, symbol, code);
      } else {
        resetDictionary();
        nextCode = clearCode + 2;
        clearing = true;
        emit(clearCode);
      }
      prefix = symbol;
      store<u8>(CHOSEN + p, symbol);
    }
    emit(prefix);
  }
  emit(endCode);
  if (accumulated > 0) blockByte(accumulator & 0xff);
  flushBlock();
  outByte(0);
  return outLength;
}
