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
 * palette), cached per frame. A frame of few colours gets exactly those.
 * The histogram, median cut, k-means and lookups run in the WebAssembly coder
 * (assembly/coder.ts), with integer and float arithmetic in a fixed order:
 * the same frame always gives the same palette and indices.
 */
import { type GifCoderKernel, LOOKUP } from './coder-kernel.js';

/**
 * A palette whose mean squared error per pixel is above this (summed over
 * r, g, b) is coarse: looking colours up at 6 bits per channel instead of 7
 * adds nothing visible to its error, and a colourful frame then needs a
 * quarter of the lookups.
 */
const COARSE_ERROR = 12;

export interface Palette {
  /** r, g, b per entry. */
  colours: Uint8Array;
  size: number;
}

/**
 * Pixels the histogram counts: every one in a small frame, every second in a
 * larger one (plenty for 256 colours, at half the cost), and beyond 2^25
 * pixels fewer still, which keeps the bins' 32-bit sums from overflowing.
 */
function histogramStep(pixels: number): number {
  return pixels <= 1 << 16 ? 1 : Math.max(2, Math.ceil(pixels / (1 << 24)));
}

/**
 * The frame's exact colours, if it has at most `limit` of them (a colourful
 * frame is found out within its first few hundred pixels).
 */
function exactColours(pixels: Uint32Array, limit: number): Set<number> | undefined {
  const exact = new Set<number>();
  for (let i = 0; i < pixels.length && exact.size <= limit; i++) exact.add(pixels[i] & 0xffffff);
  return exact.size <= limit ? exact : undefined;
}

export class PaletteMaker {
  /** `kernel` holds the frame (its `pixels`), makes the palette and looks colours up in it. */
  constructor(private readonly kernel: GifCoderKernel) {}

  /**
   * Builds the palette of at most `size` colours for the kernel's frame, with no
   * more colours than it takes to bring the mean squared error per pixel
   * (summed over r, g, b, on the 0–255 scale) down to `enough`.
   */
  build(size: number, enough = 0): Palette {
    const pixels = this.kernel.pixels;
    // Few enough exact colours: they are the palette, and every pixel keeps its colour.
    const exact = exactColours(pixels, size);
    if (exact) {
      // In order of (r, g, b).
      const list = [...exact].map((c) => ((c & 0xff) << 16) | (c & 0xff00) | (c >> 16)).sort((a, b) => a - b);
      return this.use(Uint8Array.from(list.flatMap((c) => [c >> 16, (c >> 8) & 0xff, c & 0xff])), list.length, LOOKUP.exact);
    }
    const made = this.kernel.palette(histogramStep(pixels.length), size, enough);
    const colours = new Uint8Array(made.size * 3);
    for (let i = 0; i < colours.length; i++) colours[i] = Math.min(255, Math.max(0, Math.round(this.kernel.centres[i])));
    return this.use(colours, made.size, made.error / made.counted > COARSE_ERROR ? LOOKUP.coarse : LOOKUP.fine);
  }

  private use(colours: Uint8Array, size: number, lookup: number): Palette {
    this.kernel.usePalette(colours, size, lookup);
    return { colours, size };
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
