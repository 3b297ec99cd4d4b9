/**
 * GIF's LZW compression: variable-width codes up to 12 bits, packed least
 * significant bit first, cut into sub-blocks of at most 255 bytes.
 *
 * The dictionary is a trie (each code lists its children), so a string can
 * be extended by any symbol close enough to the pixel's true colour, not
 * only its preferred one: a bounded colour error buys longer strings (the
 * idea behind gifsicle's --lossy). With a negative tolerance this is plain
 * lossless LZW.
 */
import { distanceWithin } from './colour-words.js';

const BITS = 12;
const MAX_CODE = 1 << BITS;

/** A growable byte buffer. */
export class ByteSink {
  bytes = new Uint8Array(1 << 16);
  length = 0;

  push(byte: number): void {
    if (this.length === this.bytes.length) this.grow(1);
    this.bytes[this.length++] = byte;
  }

  append(data: Uint8Array): void {
    if (this.length + data.length > this.bytes.length) this.grow(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  private grow(need: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + need));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

const firstChild = new Int16Array(MAX_CODE);
const nextSibling = new Int16Array(MAX_CODE);
/**
 * The child of (prefix, symbol) in one step: an open-addressing table of
 * codes, twice the dictionary's size. Most pixels continue their string with
 * their own symbol; only when that child is missing are the siblings searched
 * for a colour close enough.
 */
const HASH_SIZE = MAX_CODE * 2;
const HASH_BITS = Math.log2(HASH_SIZE);
/**
 * Per slot, −1 while empty, or the pair it holds, (prefix << 8) | symbol (20
 * bits), above the pair's code (12 bits): one word per slot, so a lookup is a
 * single load, from 32 kB (pairs and codes apart took 48 kB). No slot
 * ever holds −1 itself: that would be code 4095 as a child of prefix 4095,
 * and no code is added after 4095.
 */
const hashEntries = new Int32Array(HASH_SIZE);

/** Fibonacci hashing of the pair: every bit of prefix and symbol reaches the slot, so chains stay short. */
function slotOf(pair: number): number {
  return Math.imul(pair, 0x9e3779b1) >>> (32 - HASH_BITS);
}

function findChild(prefix: number, symbol: number): number {
  const pair = (prefix << 8) | symbol;
  for (let h = slotOf(pair); ; h = (h + 1) & (HASH_SIZE - 1)) {
    const entry = hashEntries[h];
    if (entry === -1) return -1;
    if (entry >>> BITS === pair) return entry & (MAX_CODE - 1);
  }
}

function addChild(prefix: number, symbol: number, code: number): void {
  const pair = (prefix << 8) | symbol;
  let h = slotOf(pair);
  while (hashEntries[h] !== -1) h = (h + 1) & (HASH_SIZE - 1);
  hashEntries[h] = (pair << BITS) | code;
}
const suffix = new Uint8Array(MAX_CODE);

/** The pixels of one image, in order, with what each may become. */
export interface LzwPixels {
  /** The symbol each pixel gets when no string is extended (its best colour, or the transparent index). */
  preferred: Uint8Array;
  /** 1 where the pixel may be left transparent (it already shows a colour close enough). */
  skippable: Uint8Array;
  /** True colour of each pixel (0xbbggrr in the low bytes; the top byte is ignored). */
  exact: Uint32Array;
  /** Palette (a colour word per entry) and its size; the transparent index is `paletteSize` when used. */
  colours: Uint32Array;
  paletteSize: number;
  transparent: number;
  /** Largest error per channel a string may add; negative: only the preferred symbol. */
  tolerance: number;
  /** Receives the symbol finally written for each pixel. */
  chosen: Uint8Array;
}

/**
 * The squared colour error of showing `symbol` at pixel p, or -1 where it
 * may not stand there: 0 for the pixel's own symbol, 1 for transparency where
 * the pixel may stay as it is, the distance for a palette colour within the
 * tolerance on every channel.
 */
function symbolError(px: LzwPixels, p: number, symbol: number): number {
  if (symbol === px.preferred[p]) return 0;
  if (symbol === px.transparent) return px.skippable[p] === 1 ? 1 : -1;
  if (px.tolerance < 0 || symbol >= px.paletteSize) return -1;
  return distanceWithin(px.colours[symbol], px.exact[p], px.tolerance);
}

/**
 * Appends the LZW minimum code size and the image data sub-blocks (with the
 * terminating empty block) for the pixels of `source` to `out`.
 */
export function lzwEncode(px: LzwPixels, length: number, minCodeSize: number, out: ByteSink): void {
  out.push(minCodeSize);
  const clearCode = 1 << minCodeSize;
  const endCode = clearCode + 1;
  const initBits = minCodeSize + 1;
  let bits = initBits;
  let maxCode = (1 << bits) - 1;
  let nextCode = clearCode + 2;
  let clearing = false;

  const block = new Uint8Array(256);
  let blockLength = 0;
  let accumulator = 0;
  let accumulated = 0;
  const flushBlock = (): void => {
    if (blockLength === 0) return;
    block[0] = blockLength;
    out.append(block.subarray(0, blockLength + 1));
    blockLength = 0;
  };
  // The width rules of Unix compress, which every GIF decoder follows.
  const emit = (code: number): void => {
    accumulator |= code << accumulated;
    accumulated += bits;
    while (accumulated >= 8) {
      block[++blockLength] = accumulator & 0xff;
      if (blockLength === 255) flushBlock();
      accumulator >>>= 8;
      accumulated -= 8;
    }
    if (nextCode > maxCode || clearing) {
      if (clearing) {
        bits = initBits;
        clearing = false;
      } else {
        bits++;
      }
      maxCode = bits === BITS ? MAX_CODE : (1 << bits) - 1;
    }
  };

  firstChild.fill(-1);
  hashEntries.fill(-1);
  emit(clearCode);
  const n = length;
  const { preferred, chosen, skippable } = px;
  const lossy = px.tolerance >= 0;
  if (n > 0) {
    // `prefix` is the code of the string so far; each pixel's symbol is final once it joins a string.
    let prefix = preferred[0];
    chosen[0] = prefix;
    for (let p = 1; p < n; p++) {
      // The pixel's own symbol continues the string when it can (no error at all).
      const own = findChild(prefix, preferred[p]);
      if (own >= 0) {
        prefix = own;
        chosen[p] = preferred[p];
        continue;
      }
      // Otherwise, of the acceptable continuations, the one closest to the pixel's true colour.
      let child = lossy || skippable[p] === 1 ? firstChild[prefix] : -1;
      let match = -1;
      let matchError = Infinity;
      while (child >= 0) {
        const error = symbolError(px, p, suffix[child]);
        if (error >= 0 && error < matchError) {
          match = child;
          matchError = error;
          if (error === 0) break;
        }
        child = nextSibling[child];
      }
      if (match >= 0) {
        prefix = match;
        chosen[p] = suffix[match];
        continue;
      }
      emit(prefix);
      const symbol = preferred[p];
      if (nextCode < MAX_CODE) {
        const code = nextCode++;
        suffix[code] = symbol;
        firstChild[code] = -1;
        nextSibling[code] = firstChild[prefix];
        firstChild[prefix] = code;
        addChild(prefix, symbol, code);
      } else {
        firstChild.fill(-1);
        hashEntries.fill(-1);
        nextCode = clearCode + 2;
        clearing = true;
        emit(clearCode);
      }
      prefix = symbol;
      chosen[p] = symbol;
    }
    emit(prefix);
  }
  emit(endCode);
  if (accumulated > 0) {
    block[++blockLength] = accumulator & 0xff;
    if (blockLength === 255) flushBlock();
  }
  flushBlock();
  out.push(0);
}
