/**
 * Turns frames into GIF image blocks, each against what the viewer already
 * sees. One setting, `tolerance`, is the colour error (per channel, 0–255)
 * the coder may spend to save bytes, in three ways:
 * - the palette: every frame gets its own (palette.ts), with only as many
 *   colours as it takes to come within about the tolerance of the frame;
 * - strings: the compressor may extend a string with any palette colour
 *   within the tolerance of a pixel's true colour (lzw.ts);
 * - stillness: a pixel within the tolerance of what is on screen may be left
 *   transparent, when that makes a longer string. A pixel is transparent by
 *   default only when its colour would not change at all, so that moving
 *   pictures do not become a speckle of transparent and redrawn pixels.
 * Only the rectangle that changed is stored. Strings and stillness never take
 * a pixel further than `tolerance` from its true colour; the palette's own
 * error (its nearest colour) is all that can add to that.
 */
import { ByteSink, lzwEncode } from './lzw.js';
import { distanceWithin, pixelWords } from './colour-words.js';
import { PaletteMaker } from './palette.js';

export type GifDither = 'none' | 'bayer' | 'floyd_steinberg' | 'sierra2_4a';

export interface FrameCoding {
  /** Palette entries per frame, 2–256 (one is kept for transparency after the first frame). */
  colors: number;
  dither: GifDither;
  /** bayer: 0 strong … 5 faint. */
  bayerScale: number;
  /** Largest error per channel (0–255) the coder may make to save bytes. */
  tolerance: number;
}

/** 8×8 Bayer threshold matrix, values 0–63. */
const BAYER = [0, 32, 8, 40, 2, 34, 10, 42, 48, 16, 56, 24, 50, 18, 58, 26, 12, 44, 4, 36, 14, 46, 6, 38, 60, 28, 52, 20, 62, 30, 54, 22, 3, 35, 11, 43, 1, 33, 9, 41, 51, 19, 59, 27, 49, 17, 57, 25, 15, 47, 7, 39, 13, 45, 5, 37, 63, 31, 55, 23, 61, 29, 53, 21];

/** Error diffusion kernels: [dx, dy, weight] with weights over `divisor`. */
const DIFFUSION: Record<'floyd_steinberg' | 'sierra2_4a', { taps: Array<[number, number, number]>; divisor: number }> = {
  floyd_steinberg: { taps: [[1, 0, 7], [-1, 1, 3], [0, 1, 5], [1, 1, 1]], divisor: 16 },
  sierra2_4a: { taps: [[1, 0, 2], [-1, 1, 1], [0, 1, 1]], divisor: 4 },
};

/**
 * The palette may stop growing once its mean squared error per pixel (summed
 * over r, g, b) is this many times tolerance²: about a third of the error
 * budget, so the strings and stillness keep the rest. Tolerance 2 gives 2.4,
 * which is about 64 colours for a frame whose colours follow a gradient.
 */
const PALETTE_SHARE = 0.6;

export class GifFrameCoder {
  private readonly palettes = new PaletteMaker();
  /** The colour on screen after the last frame, per pixel (0xbbggrr). */
  private readonly screen: Uint32Array;
  /** Per pixel: the symbol it would get on its own (transparent when it may stay), and whether it may stay. */
  private readonly preferred: Uint8Array;
  private readonly skippable: Uint8Array;
  private readonly rectPreferred: Uint8Array;
  private readonly rectSkippable: Uint8Array;
  private readonly rectExact: Uint32Array;
  private readonly rectChosen: Uint8Array;
  /** The palette's colours, packed as on screen. */
  private readonly packed = new Uint32Array(256);
  private readonly errors: Float32Array | undefined;
  private first = true;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly coding: FrameCoding,
  ) {
    this.screen = new Uint32Array(width * height);
    this.preferred = new Uint8Array(width * height);
    this.skippable = new Uint8Array(width * height);
    this.rectPreferred = new Uint8Array(width * height);
    this.rectSkippable = new Uint8Array(width * height);
    this.rectExact = new Uint32Array(width * height);
    this.rectChosen = new Uint8Array(width * height);
    // Two rows of diffused error, three channels, with a pixel of margin each side.
    this.errors = coding.dither === 'floyd_steinberg' || coding.dither === 'sierra2_4a' ? new Float32Array(2 * (width + 2) * 3) : undefined;
  }

  /** Appends the graphic control extension, image descriptor, local colour table and image data of the next frame. */
  encode(rgba: Uint8Array, delay: number, out: ByteSink): void {
    const { width, height, screen, coding, packed } = this;
    const first = this.first;
    this.first = false;
    const pixels = pixelWords(rgba);
    const palette = this.palettes.build(pixels, width, first ? coding.colors : Math.max(1, coding.colors - 1), PALETTE_SHARE * coding.tolerance ** 2);
    const transparent = first ? -1 : palette.size;
    const colours = palette.colours;
    for (let i = 0; i < palette.size; i++) packed[i] = colours[i * 3] | (colours[i * 3 + 1] << 8) | (colours[i * 3 + 2] << 16);
    const bounds = coding.dither !== 'none' ? this.mapDithered(pixels, first, transparent) : this.mapNearest(pixels, first, transparent);
    // Nothing changed: a single transparent pixel keeps the frame (and its delay).
    const changed = bounds.maxX >= 0;
    const minX = changed ? bounds.minX : 0;
    const minY = changed ? bounds.minY : 0;
    const rectWidth = changed ? bounds.maxX - minX + 1 : 1;
    const rectHeight = changed ? bounds.maxY - minY + 1 : 1;
    // An unchanged frame needs no colours: a two-entry table keeps it to a few bytes.
    const unchanged = !changed;
    const entries = unchanged ? 2 : palette.size + (transparent >= 0 ? 1 : 0);
    const tableBits = Math.max(1, Math.ceil(Math.log2(entries)));
    // Graphic control extension: disposal 1 (leave the frame for the next to draw over), transparency, delay.
    const transparentIndex = unchanged ? 0 : transparent;
    out.append(Uint8Array.of(0x21, 0xf9, 4, (1 << 2) | (transparent >= 0 ? 1 : 0), delay & 0xff, delay >> 8, Math.max(0, transparentIndex), 0));
    const descriptor = new Uint8Array(10);
    const view = new DataView(descriptor.buffer);
    descriptor[0] = 0x2c;
    view.setUint16(1, minX, true);
    view.setUint16(3, minY, true);
    view.setUint16(5, rectWidth, true);
    view.setUint16(7, rectHeight, true);
    descriptor[9] = 0x80 | (tableBits - 1);
    out.append(descriptor);
    const table = new Uint8Array(3 << tableBits);
    if (!unchanged) table.set(colours.subarray(0, palette.size * 3));
    out.append(table);
    if (unchanged) {
      const one = Uint8Array.of(0);
      lzwEncode({ preferred: one, skippable: one, exact: new Uint32Array(1), colours: new Uint32Array(1), paletteSize: 0, transparent: 0, tolerance: -1, chosen: new Uint8Array(1) }, 1, 2, out);
      return;
    }
    // The rectangle's pixels in order, for the compressor: the frame's own arrays when it is the whole frame.
    const count = rectWidth * rectHeight;
    const whole = rectWidth === width && rectHeight === height;
    const rectPreferred = whole ? this.preferred : this.rectPreferred.subarray(0, count);
    const rectSkippable = whole ? this.skippable : this.rectSkippable.subarray(0, count);
    const exact = whole ? pixels : this.rectExact.subarray(0, count);
    const chosen = this.rectChosen.subarray(0, count);
    if (!whole) {
      for (let y = 0; y < rectHeight; y++) {
        const from = (minY + y) * width + minX;
        rectPreferred.set(this.preferred.subarray(from, from + rectWidth), y * rectWidth);
        rectSkippable.set(this.skippable.subarray(from, from + rectWidth), y * rectWidth);
        exact.set(pixels.subarray(from, from + rectWidth), y * rectWidth);
      }
    }
    lzwEncode(
      {
        preferred: rectPreferred,
        skippable: rectSkippable,
        exact,
        colours: packed,
        paletteSize: palette.size,
        transparent,
        // Undithered, a string may take any colour within the tolerance; dithering decided every pixel already.
        tolerance: coding.dither === 'none' ? coding.tolerance : -1,
        chosen,
      },
      count,
      Math.max(2, tableBits),
      out,
    );
    for (let y = 0, i = 0; y < rectHeight; y++) {
      for (let x = 0, p = (minY + y) * width + minX; x < rectWidth; x++, p++, i++) {
        const symbol = chosen[i];
        if (symbol !== transparent) screen[p] = packed[symbol];
      }
    }
  }

  /**
   * Undithered: each pixel's nearest palette colour, whether it may stay as
   * it is, and the rectangle of pixels that change. The hot loop of the coder.
   */
  private mapNearest(pixels: Uint32Array, first: boolean, transparent: number): Bounds {
    const { width, height, screen, packed, skippable, preferred, palettes } = this;
    const tolerance = this.coding.tolerance;
    let minX = width;
    let minY = height;
    let maxX = -1;
    let maxY = -1;
    // Neighbouring pixels often agree in the bits the palette looks at: then their index is the one just found.
    const shift = palettes.ignoredBits;
    const keyMask = (0xff >> shift) * 0x010101;
    let lastKey = -1;
    let lastIndex = 0;
    let lastPacked = 0;
    for (let y = 0, p = 0; y < height; y++) {
      for (let x = 0; x < width; x++, p++) {
        const colour = pixels[p] & 0xffffff;
        const key = (colour >> shift) & keyMask;
        if (key !== lastKey) {
          lastKey = key;
          lastIndex = palettes.map(colour & 0xff, (colour >> 8) & 0xff, colour >> 16);
          lastPacked = packed[lastIndex];
        }
        if (first) {
          skippable[p] = 0;
        } else {
          const shown = screen[p];
          // The colour on screen already: transparent by default (a run of them costs almost nothing).
          if (lastPacked === shown) {
            skippable[p] = 1;
            preferred[p] = transparent;
            continue;
          }
          skippable[p] = distanceWithin(colour, shown, tolerance) >= 0 ? 1 : 0;
        }
        preferred[p] = lastIndex;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        maxY = y;
      }
    }
    return { minX, minY, maxX, maxY };
  }

  /** As mapNearest, with ordered or error-diffusion dithering before the lookup. */
  private mapDithered(pixels: Uint32Array, first: boolean, transparent: number): Bounds {
    const { width, height, screen, packed, skippable, preferred, palettes, coding } = this;
    const tolerance = coding.tolerance;
    const bayerAmplitude = coding.dither === 'bayer' ? 32 >> coding.bayerScale : 0;
    const diffusion = coding.dither === 'floyd_steinberg' || coding.dither === 'sierra2_4a' ? DIFFUSION[coding.dither] : undefined;
    const errors = this.errors;
    const rowStride = (width + 2) * 3;
    errors?.fill(0);
    let minX = width;
    let minY = height;
    let maxX = -1;
    let maxY = -1;
    for (let y = 0; y < height; y++) {
      const current = (y & 1) * rowStride;
      const next = ((y + 1) & 1) * rowStride;
      if (errors) errors.fill(0, next, next + rowStride);
      for (let x = 0; x < width; x++) {
        const p = y * width + x;
        const colour = pixels[p];
        const r = colour & 0xff;
        const g = (colour >> 8) & 0xff;
        const b = (colour >> 16) & 0xff;
        skippable[p] = !first && distanceWithin(colour, screen[p], tolerance) >= 0 ? 1 : 0;
        let tr = r;
        let tg = g;
        let tb = b;
        if (bayerAmplitude > 0) {
          const offset = ((BAYER[((y & 7) << 3) | (x & 7)] - 31.5) * bayerAmplitude) / 64;
          tr = clampByte(r + offset);
          tg = clampByte(g + offset);
          tb = clampByte(b + offset);
        } else if (errors) {
          const e = current + (x + 1) * 3;
          tr = clampByte(r + errors[e]);
          tg = clampByte(g + errors[e + 1]);
          tb = clampByte(b + errors[e + 2]);
        }
        const index = palettes.map(tr, tg, tb);
        const shown = packed[index];
        if (errors) diffuse(errors, diffusion!, current, next, x, tr - (shown & 0xff), tg - ((shown >> 8) & 0xff), tb - (shown >> 16));
        if (!first && shown === screen[p]) {
          skippable[p] = 1;
          preferred[p] = transparent;
          continue;
        }
        preferred[p] = index;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        maxY = y;
      }
    }
    return { minX, minY, maxX, maxY };
  }
}

/** The rectangle of pixels that change (maxX −1: none). */
interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

function diffuse(errors: Float32Array, kernel: { taps: Array<[number, number, number]>; divisor: number }, current: number, next: number, x: number, er: number, eg: number, eb: number): void {
  for (const [dx, dy, weight] of kernel.taps) {
    const at = (dy === 0 ? current : next) + (x + 1 + dx) * 3;
    const f = weight / kernel.divisor;
    errors[at] += er * f;
    errors[at + 1] += eg * f;
    errors[at + 2] += eb * f;
  }
}
