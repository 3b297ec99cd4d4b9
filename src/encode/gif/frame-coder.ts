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
  /** RGB of what is on screen after the last frame. */
  private readonly screen: Uint8Array;
  /** Per pixel: the symbol it would get on its own (transparent when it may stay), and whether it may stay. */
  private readonly preferred: Uint8Array;
  private readonly skippable: Uint8Array;
  private readonly rectPreferred: Uint8Array;
  private readonly rectSkippable: Uint8Array;
  private readonly rectExact: Uint8Array;
  private readonly rectChosen: Uint8Array;
  private readonly errors: Float32Array | undefined;
  private first = true;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly coding: FrameCoding,
  ) {
    this.screen = new Uint8Array(width * height * 3);
    this.preferred = new Uint8Array(width * height);
    this.skippable = new Uint8Array(width * height);
    this.rectPreferred = new Uint8Array(width * height);
    this.rectSkippable = new Uint8Array(width * height);
    this.rectExact = new Uint8Array(width * height * 3);
    this.rectChosen = new Uint8Array(width * height);
    // Two rows of diffused error, three channels, with a pixel of margin each side.
    this.errors = coding.dither === 'floyd_steinberg' || coding.dither === 'sierra2_4a' ? new Float32Array(2 * (width + 2) * 3) : undefined;
  }

  /** Appends the graphic control extension, image descriptor, local colour table and image data of the next frame. */
  encode(rgba: Uint8Array, delay: number, out: ByteSink): void {
    const { width, height, screen, coding } = this;
    const first = this.first;
    this.first = false;
    const palette = this.palettes.build(rgba, first ? coding.colors : Math.max(1, coding.colors - 1), PALETTE_SHARE * coding.tolerance ** 2);
    const transparent = first ? -1 : palette.size;
    const colours = palette.colours;
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
    const { skippable, preferred } = this;
    let lastColour = -1;
    let lastIndex = 0;
    for (let y = 0; y < height; y++) {
      const current = (y & 1) * rowStride;
      const next = ((y + 1) & 1) * rowStride;
      if (errors) errors.fill(0, next, next + rowStride);
      for (let x = 0; x < width; x++) {
        const p = y * width + x;
        const r = rgba[p * 4];
        const g = rgba[p * 4 + 1];
        const b = rgba[p * 4 + 2];
        skippable[p] = 0;
        if (!first) {
          const dr = r - screen[p * 3];
          const dg = g - screen[p * 3 + 1];
          const db = b - screen[p * 3 + 2];
          if (dr <= tolerance && dr >= -tolerance && dg <= tolerance && dg >= -tolerance && db <= tolerance && db >= -tolerance) skippable[p] = 1;
        }
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
        // Flat areas repeat a colour pixel after pixel: its index is the one just found.
        const colour = (tr << 16) | (tg << 8) | tb;
        if (colour !== lastColour) {
          lastColour = colour;
          lastIndex = this.palettes.map(tr, tg, tb);
        }
        const index = lastIndex;
        const cr = colours[index * 3];
        const cg = colours[index * 3 + 1];
        const cb = colours[index * 3 + 2];
        if (errors) diffuse(errors, diffusion!, current, next, x, tr - cr, tg - cg, tb - cb);
        // The colour on screen already: transparent by default (a run of them costs almost nothing).
        if (!first && cr === screen[p * 3] && cg === screen[p * 3 + 1] && cb === screen[p * 3 + 2]) {
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
    // Nothing changed: a single transparent pixel keeps the frame (and its delay).
    const changed = maxX >= 0;
    if (!changed) minX = minY = maxX = maxY = 0;
    const rectWidth = maxX - minX + 1;
    const rectHeight = maxY - minY + 1;
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
      lzwEncode({ preferred: one, skippable: one, exact: one, colours: one, paletteSize: 0, transparent: 0, tolerance: -1, chosen: new Uint8Array(1) }, 1, 2, out);
      return;
    }
    // The rectangle's pixels in order, for the compressor.
    const count = rectWidth * rectHeight;
    const rectPreferred = this.rectPreferred.subarray(0, count);
    const rectSkippable = this.rectSkippable.subarray(0, count);
    const exact = this.rectExact.subarray(0, count * 3);
    const chosen = this.rectChosen.subarray(0, count);
    for (let y = 0, i = 0; y < rectHeight; y++) {
      for (let x = 0, p = (minY + y) * width + minX; x < rectWidth; x++, p++, i++) {
        rectPreferred[i] = preferred[p];
        rectSkippable[i] = skippable[p];
        exact[i * 3] = rgba[p * 4];
        exact[i * 3 + 1] = rgba[p * 4 + 1];
        exact[i * 3 + 2] = rgba[p * 4 + 2];
      }
    }
    lzwEncode(
      {
        preferred: rectPreferred,
        skippable: rectSkippable,
        exact,
        colours,
        paletteSize: palette.size,
        transparent,
        // Undithered, a string may take any colour within the tolerance; dithering decided every pixel already.
        tolerance: coding.dither === 'none' ? tolerance : -1,
        chosen,
      },
      count,
      Math.max(2, tableBits),
      out,
    );
    for (let y = 0, i = 0; y < rectHeight; y++) {
      for (let x = 0, p = (minY + y) * width + minX; x < rectWidth; x++, p++, i++) {
        const symbol = chosen[i];
        if (symbol === transparent) continue;
        screen[p * 3] = colours[symbol * 3];
        screen[p * 3 + 1] = colours[symbol * 3 + 1];
        screen[p * 3 + 2] = colours[symbol * 3 + 2];
      }
    }
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
