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
  palette(size: number, enough: number): number;
  searchCentres(size: number): void;
  usePalette(size: number, mode: number): void;
  ignoredBits(): number;
  map(r: number, g: number, b: number): number;
  mapNearest(first: number, transparent: number, tolerance: number): void;
  copyRect(x: number, y: number, width: number, height: number): void;
  updateScreen(x: number, y: number, width: number, height: number, transparent: number): void;
  lzw(preferred: number, skippable: number, exact: number, count: number, minCodeSize: number, paletteSize: number, transparent: number, tolerance: number): number;
}

type Address = 'PACKED' | 'CENTRES' | 'PIXELS' | 'SCREEN' | 'PREFERRED' | 'SKIPPABLE' | 'RECT_PREFERRED' | 'RECT_SKIPPABLE' | 'RECT_EXACT' | 'OUT';

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
  /** The palette's colours before rounding, r, g, b per entry (see palette). */
  readonly centres: Float64Array;

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
    this.centres = new Float64Array(buffer, this.at('CENTRES'), 256 * 3);
  }

  private at(name: Address): number {
    return this.globals[name].value as number;
  }

  /**
   * Makes a palette of at most `size` colours for the frame: counts the
   * frame's colours (every `step`-th pixel), then median cut until the mean
   * squared error per counted pixel is at most `enough`, then k-means. The
   * colours are left in `centres`; returns how many, the summed squared
   * error and the pixels counted.
   */
  palette(step: number, size: number, enough: number): { size: number; error: number; counted: number } {
    this.wasm.histogram(step);
    const made = this.wasm.palette(size, enough);
    return { size: made, error: this.globals.paletteError.value as number, counted: this.globals.paletteWeight.value as number };
  }

  /**
   * The frame's palette (r, g, b per entry) is `colours`: as colour words, in
   * the nearest-colour search, looked up as `mode` (LOOKUP) says.
   */
  usePalette(colours: Uint8Array, size: number, mode: number): void {
    for (let i = 0; i < size; i++) {
      this.packed[i] = colours[i * 3] | (colours[i * 3 + 1] << 8) | (colours[i * 3 + 2] << 16);
      for (let c = 0; c < 3; c++) this.centres[i * 3 + c] = colours[i * 3 + c];
    }
    this.wasm.searchCentres(size);
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
