/**
 * The GIF coder's WebAssembly (assembly/coder.ts), one instance per GIF with
 * its memory laid out for the GIF's frame size, and typed arrays over that
 * memory for the JavaScript side. The module is compiled once per thread.
 */
import { GIF_CODER_WASM } from './coder-wasm.js';

/** How the palette is looked up (see assembly/coder.ts): its exact colours, 7 bits per channel, or 6. */
export const LOOKUP = { exact: 0, fine: 1, coarse: 2 } as const;

interface CoderExports {
  memory: WebAssembly.Memory;
  init(width: number, height: number): void;
  histogram(step: number): number;
  setSearch(size: number): void;
  assign(points: number): void;
  usePalette(size: number, mode: number): void;
  ignoredBits(): number;
  map(r: number, g: number, b: number): number;
  mapNearest(first: number, transparent: number, tolerance: number): void;
  copyRect(x: number, y: number, width: number, height: number): void;
  updateScreen(x: number, y: number, width: number, height: number, transparent: number): void;
  lzw(preferred: number, skippable: number, exact: number, count: number, minCodeSize: number, paletteSize: number, transparent: number, tolerance: number): number;
}

type Address = 'PACKED' | 'SEARCH_ORDER' | 'SEARCH_REDS' | 'SEARCH_GREENS' | 'SEARCH_BLUES' | 'POINTS' | 'ASSIGNED' | 'BINS' | 'OCCUPIED' | 'PIXELS' | 'SCREEN' | 'PREFERRED' | 'SKIPPABLE' | 'RECT_PREFERRED' | 'RECT_SKIPPABLE' | 'RECT_EXACT' | 'OUT';

let compiled: WebAssembly.Module | undefined;

/** The changed rectangle (maxX −1: nothing changed). */
export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export class GifCoderKernel {
  private readonly wasm: CoderExports;
  private readonly globals: Record<string, { value: unknown }>;
  /** The frame (colour words), and what the viewer sees after the last frame. */
  readonly pixels: Uint32Array;
  readonly screen: Uint32Array;
  /** Per pixel: the symbol it gets on its own, and 1 where it may stay as it is. */
  readonly preferred: Uint8Array;
  readonly skippable: Uint8Array;
  /** The palette as colour words. */
  readonly packed: Uint32Array;
  /** Histogram bins (count, r, g, b sums per bin) and the occupied bins in first-seen order. */
  readonly bins: Uint32Array;
  private readonly occupiedBins: Int32Array;
  /** The nearest-colour search: indices in order of green, and each colour's components in that order. */
  readonly searchOrder: Int32Array;
  readonly searchReds: Float64Array;
  readonly searchGreens: Float64Array;
  readonly searchBlues: Float64Array;
  /** k-means points (r, g, b each) and the nearest centre of each. */
  readonly points: Float64Array;
  readonly assigned: Int32Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    compiled ??= new WebAssembly.Module(Buffer.from(GIF_CODER_WASM, 'base64'));
    const instance = new WebAssembly.Instance(compiled, {});
    this.wasm = instance.exports as unknown as CoderExports;
    this.globals = instance.exports as unknown as Record<string, { value: unknown }>;
    this.wasm.init(width, height);
    const count = width * height;
    const buffer = this.wasm.memory.buffer;
    this.pixels = new Uint32Array(buffer, this.at('PIXELS'), count);
    this.screen = new Uint32Array(buffer, this.at('SCREEN'), count);
    this.preferred = new Uint8Array(buffer, this.at('PREFERRED'), count);
    this.skippable = new Uint8Array(buffer, this.at('SKIPPABLE'), count);
    this.packed = new Uint32Array(buffer, this.at('PACKED'), 256);
    this.bins = new Uint32Array(buffer, this.at('BINS'), (this.at('OCCUPIED') - this.at('BINS')) >> 2);
    this.occupiedBins = new Int32Array(buffer, this.at('OCCUPIED'), this.bins.length >> 2);
    this.searchOrder = new Int32Array(buffer, this.at('SEARCH_ORDER'), 256);
    this.searchReds = new Float64Array(buffer, this.at('SEARCH_REDS'), 256);
    this.searchGreens = new Float64Array(buffer, this.at('SEARCH_GREENS'), 256);
    this.searchBlues = new Float64Array(buffer, this.at('SEARCH_BLUES'), 256);
    this.points = new Float64Array(buffer, this.at('POINTS'), (this.at('ASSIGNED') - this.at('POINTS')) >> 3);
    this.assigned = new Int32Array(buffer, this.at('ASSIGNED'), this.points.length / 3);
  }

  private at(name: Address): number {
    return this.globals[name].value as number;
  }

  /** Counts the frame into the histogram (every `step`-th pixel); returns the occupied bins. */
  histogram(step: number): Int32Array {
    return this.occupiedBins.subarray(0, this.wasm.histogram(step));
  }

  /** The search now holds `size` colours (written to searchOrder and the components). */
  setSearch(size: number): void {
    this.wasm.setSearch(size);
  }

  /** The nearest search colour of each of the first `count` points, into `assigned`. */
  assign(count: number): void {
    this.wasm.assign(count);
  }

  /** The search holds the frame's palette of `size` colours (also in `packed`), looked up as `mode` (LOOKUP) says. */
  usePalette(size: number, mode: number): void {
    this.wasm.usePalette(size, mode);
  }

  /** Bits of each channel the palette's lookup ignores. */
  ignoredBits(): number {
    return this.wasm.ignoredBits();
  }

  /** The palette entry nearest to (r, g, b). */
  map(r: number, g: number, b: number): number {
    return this.wasm.map(r, g, b);
  }

  /** Undithered mapping of the whole frame: preferred, skippable and the changed rectangle. */
  mapNearest(first: boolean, transparent: number, tolerance: number): Bounds {
    this.wasm.mapNearest(first ? 1 : 0, transparent, tolerance);
    const value = (name: string): number => this.globals[name].value as number;
    return { minX: value('minX'), minY: value('minY'), maxX: value('maxX'), maxY: value('maxY') };
  }

  /**
   * Compresses the rectangle's pixels (the whole frame's arrays when it is the
   * whole frame) and draws what was chosen onto the screen; returns the image
   * data (valid until the next call).
   */
  compressRect(minX: number, minY: number, rectWidth: number, rectHeight: number, minCodeSize: number, paletteSize: number, transparent: number, tolerance: number): Uint8Array {
    const whole = rectWidth === this.width && rectHeight === this.height;
    if (!whole) this.wasm.copyRect(minX, minY, rectWidth, rectHeight);
    const [preferred, skippable, exact] = whole ? [this.at('PREFERRED'), this.at('SKIPPABLE'), this.at('PIXELS')] : [this.at('RECT_PREFERRED'), this.at('RECT_SKIPPABLE'), this.at('RECT_EXACT')];
    const length = this.wasm.lzw(preferred, skippable, exact, rectWidth * rectHeight, minCodeSize, paletteSize, transparent, tolerance);
    this.wasm.updateScreen(minX, minY, rectWidth, rectHeight, transparent);
    return new Uint8Array(this.wasm.memory.buffer, this.at('OUT'), length);
  }

  /** Image data for a frame that changes nothing: one pixel of index 0 in a two-entry table. */
  unchangedImage(): Uint8Array {
    const preferred = this.at('RECT_PREFERRED');
    const skippable = this.at('RECT_SKIPPABLE');
    new Uint8Array(this.wasm.memory.buffer, preferred, 1)[0] = 0;
    new Uint8Array(this.wasm.memory.buffer, skippable, 1)[0] = 0;
    const length = this.wasm.lzw(preferred, skippable, this.at('RECT_EXACT'), 1, 2, 0, 0, -1);
    return new Uint8Array(this.wasm.memory.buffer, this.at('OUT'), length);
  }
}
