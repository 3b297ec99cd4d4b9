/**
 * Turns frames into GIF image blocks, each against what the viewer already
 * sees. One setting, `tolerance`, is the colour error (per channel, 0–255)
 * the coder may spend to save bytes, in three ways:
 * - the palette: every frame gets its own (palette.ts), with only as many
 *   colours as it takes to come within about the tolerance of the frame;
 * - strings: the compressor may extend a string with any palette colour
 *   within the tolerance of a pixel's true colour (the LZW in assembly/coder.ts);
 * - stillness: a pixel within the tolerance of what is on screen may be left
 *   transparent, when that makes a longer string. A pixel is transparent by
 *   default only when its colour would not change at all, so that moving
 *   pictures do not become a speckle of transparent and redrawn pixels.
 * Only the rectangle that changed is stored. Strings and stillness never take
 * a pixel further than `tolerance` from its true colour; the palette's own
 * error (its nearest colour) is all that can add to that.
 */
import type { ByteSink } from './byte-sink.js';
import { type Bounds, GifCoderKernel } from './coder-kernel.js';
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
 * budget, so the strings and stillness keep the rest. Tolerance 2 gives 2.4:
 * a frame whose colours follow a gradient stops far short of 256 colours.
 */
const PALETTE_SHARE = 0.6;

export class GifFrameCoder {
  /** The frame, the screen and the per-pixel work: histogram, mapping, compression (WebAssembly). */
  private readonly kernel: GifCoderKernel;
  private readonly palettes: PaletteMaker;
  private readonly errors: Float32Array | undefined;
  private first = true;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly coding: FrameCoding,
  ) {
    this.kernel = new GifCoderKernel(width, height);
    this.palettes = new PaletteMaker(this.kernel);
    // Two rows of diffused error, three channels, with a pixel of margin each side.
    this.errors = coding.dither === 'floyd_steinberg' || coding.dither === 'sierra2_4a' ? new Float32Array(2 * (width + 2) * 3) : undefined;
  }

  /** Appends the graphic control extension, image descriptor, local colour table and image data of the next frame. */
  encode(rgba: Uint8Array, delay: number, out: ByteSink): void {
    const { coding, kernel } = this;
    const first = this.first;
    this.first = false;
    kernel.pixels.set(pixelWords(rgba));
    const palette = this.palettes.build(first ? coding.colors : Math.max(1, coding.colors - 1), PALETTE_SHARE * coding.tolerance ** 2);
    const transparent = first ? -1 : palette.size;
    const bounds = coding.dither !== 'none' ? this.mapDithered(first, transparent) : kernel.mapNearest(first, transparent, coding.tolerance);
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
    if (!unchanged) table.set(palette.colours.subarray(0, palette.size * 3));
    out.append(table);
    if (unchanged) {
      out.append(kernel.unchangedImage());
      return;
    }
    // Undithered, a string may take any colour within the tolerance; dithering decided every pixel already.
    const stringTolerance = coding.dither === 'none' ? coding.tolerance : -1;
    out.append(kernel.compressRect(minX, minY, rectWidth, rectHeight, Math.max(2, tableBits), palette.size, transparent, stringTolerance));
  }

  /** As mapNearest, with ordered or error-diffusion dithering before the lookup. */
  private mapDithered(first: boolean, transparent: number): Bounds {
    const { width, height, palettes, coding } = this;
    const { pixels, screen, packed, skippable, preferred } = this.kernel;
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
