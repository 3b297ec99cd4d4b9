/**
 * From network outputs to RGBA bytes: each output is brought into [0, 1]
 * according to its activation's range, then read as RGB (3 channels), grey or
 * a palette position (1 channel), then adjusted (hue, saturation, contrast,
 * brightness, invert) and quantised to 8 bits.
 */
import type { OutputRange } from './activations.js';
import { detCos, detSin } from './det-math.js';

export const COLOUR_MODES = ['rgb', 'grey', 'palette'] as const;
export type ColourMode = (typeof COLOUR_MODES)[number];

export type Rgb = readonly [number, number, number];

export interface Palette {
  /** Colours spread evenly over [0, 1], components in [0, 1]. */
  stops: readonly Rgb[];
  /** The last colour blends back into the first, so palette cycling has no edge. */
  cyclic: boolean;
}

export interface ColourSettings {
  mode: ColourMode;
  palette: Palette;
  /** Shifts the palette position (wrapping), for palette cycling. */
  paletteOffset: number;
  /** Degrees around the colour wheel. */
  hue: number;
  /** 0 = grey, 1 = unchanged. */
  saturation: number;
  /** Multiplies every channel. */
  brightness: number;
  /** Stretches values around mid-grey; 1 = unchanged. */
  contrast: number;
  invert: boolean;
}

export const DEFAULT_COLOUR: ColourSettings = {
  mode: 'rgb',
  palette: { stops: [[0, 0, 0], [1, 1, 1]], cyclic: false },
  paletteOffset: 0,
  hue: 0,
  saturation: 1,
  brightness: 1,
  contrast: 1,
  invert: false,
};

export function hexToRgb(hex: string): Rgb {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) throw new RangeError(`"${hex}" is not a colour; write it as #rrggbb`);
  const n = parseInt(m[1], 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

export const NAMED_PALETTES: Readonly<Record<string, readonly string[]>> = {
  ink: ['#0b0d17', '#f4efe4'],
  sunset: ['#12063b', '#5b1a72', '#c0396b', '#f48c3a', '#fbe38e'],
  ocean: ['#03045e', '#0077b6', '#00b4d8', '#90e0ef', '#e9fbff'],
  viridis: ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'],
  magma: ['#000004', '#3b0f70', '#8c2981', '#de4968', '#fe9f6d', '#fcfdbf'],
  neon: ['#0d0221', '#ff2a6d', '#05d9e8', '#d1f7ff', '#7700a6'],
};

/** A tanh-like output, −1…1, as 0…1. */
function fromSymmetric(v: number): number {
  return (v + 1) * 0.5;
}

/** Maps a raw output value into [0, 1] according to where its activation's values lie. */
function toUnit(range: OutputRange): (v: number) => number {
  switch (range) {
    case 'unit':
      return (v) => v;
    case 'symmetric':
      return fromSymmetric;
    case 'unbounded':
      return (v) => v;
  }
}

/** Entries of a palette's lookup table. */
export const LUT_SIZE = 1024;

/** The palette as LUT_SIZE RGB entries, shifted by `offset` (what a palette position looks up). */
export function paletteLut(palette: Palette, offset: number): Float32Array {
  const lut = new Float32Array(LUT_SIZE * 3);
  const stops = palette.stops;
  const segments = palette.cyclic ? stops.length : stops.length - 1;
  for (let i = 0; i < LUT_SIZE; i++) {
    let position = i / (LUT_SIZE - 1) + offset;
    position = palette.cyclic || offset !== 0 ? position - Math.floor(position) : position;
    const scaled = Math.min(Math.max(position, 0), 1) * segments;
    const k = Math.min(Math.floor(scaled), segments - 1);
    const f = scaled - k;
    const a = stops[k % stops.length];
    const b = stops[(k + 1) % stops.length];
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = a[c] + (b[c] - a[c]) * f;
  }
  return lut;
}

/**
 * Hue rotation then saturation as one row-major 3×3 matrix: the rotation
 * turns colours about the grey axis (1, 1, 1)/√3 (Rodrigues' formula); the
 * saturation blends each channel towards the pixel's mean.
 */
export function colourMatrix(hueDegrees: number, saturation: number): number[] {
  const theta = (hueDegrees * Math.PI) / 180;
  const c = detCos(theta);
  const s = detSin(theta);
  const t = (1 - c) / 3;
  const q = s / Math.sqrt(3);
  const rotation = [c + t, t - q, t + q, t + q, c + t, t - q, t - q, t + q, c + t];
  const out: number[] = [];
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) {
      // (s·I + (1 − s)/3 · ones) × rotation
      let v = saturation * rotation[row * 3 + col];
      for (let k = 0; k < 3; k++) v += ((1 - saturation) / 3) * rotation[k * 3 + col];
      out.push(v);
    }
  }
  return out;
}

export class ColourMapper {
  private readonly unit: (v: number) => number;
  private readonly lut: Float32Array | undefined;
  private readonly matrix: number[];
  private readonly identityMatrix: boolean;
  /** Brightness, contrast or invert change the colours (after the hue and saturation matrix). */
  private readonly adjusted: boolean;

  constructor(
    private readonly settings: ColourSettings,
    private readonly channels: number,
    private readonly range: OutputRange,
  ) {
    this.unit = toUnit(range);
    this.lut = channels === 1 && settings.mode === 'palette' ? paletteLut(settings.palette, settings.paletteOffset) : undefined;
    this.matrix = colourMatrix(settings.hue, settings.saturation);
    this.identityMatrix = settings.hue === 0 && settings.saturation === 1;
    this.adjusted = settings.brightness !== 1 || settings.contrast !== 1 || settings.invert;
  }

  /**
   * Writes RGBA for `count` pixels from channel-major `outputs` (stride
   * `stride`) into `rgba` starting at pixel `firstPixel`.
   */
  write(outputs: Float32Array, stride: number, count: number, rgba: Uint8Array | Uint8ClampedArray, firstPixel: number): void {
    if (this.channels >= 3 && this.identityMatrix && !this.adjusted) {
      writePlainRgb(outputs, stride, count, rgba, firstPixel, this.range === 'symmetric');
    } else {
      this.map(outputs, stride, count, rgba, firstPixel, undefined);
    }
  }

  /**
   * Adds the colours of `count` samples, each clamped to [0, 1], to `sums`
   * (r, g, b per pixel): antialiasing averages what is seen, not the network's
   * outputs, so a pixel half on black and half on yellow of a palette becomes
   * their mix rather than the palette colour halfway between.
   */
  accumulate(outputs: Float32Array, stride: number, count: number, sums: Float64Array): void {
    this.map(outputs, stride, count, undefined, 0, sums);
  }

  /** Writes the mean of `samples` accumulated colours per pixel as RGBA, starting at pixel `firstPixel`. */
  writeAverage(sums: Float64Array, samples: number, count: number, rgba: Uint8Array | Uint8ClampedArray, firstPixel: number): void {
    let o = firstPixel * 4;
    for (let k = 0; k < count; k++, o += 4) {
      rgba[o] = toByte(sums[3 * k] / samples);
      rgba[o + 1] = toByte(sums[3 * k + 1] / samples);
      rgba[o + 2] = toByte(sums[3 * k + 2] / samples);
      rgba[o + 3] = 255;
    }
  }

  private map(outputs: Float32Array, stride: number, count: number, rgba: Uint8Array | Uint8ClampedArray | undefined, firstPixel: number, sums: Float64Array | undefined): void {
    const { unit, lut, matrix, identityMatrix, channels, adjusted } = this;
    const { brightness, contrast, invert } = this.settings;
    let o = firstPixel * 4;
    for (let k = 0; k < count; k++, o += 4) {
      let r: number;
      let g: number;
      let b: number;
      if (channels >= 3) {
        r = unit(outputs[k]);
        g = unit(outputs[stride + k]);
        b = unit(outputs[2 * stride + k]);
      } else if (lut) {
        const v = unit(outputs[k]);
        const index = 3 * Math.round(Math.min(Math.max(v, 0), 1) * (LUT_SIZE - 1));
        r = lut[index];
        g = lut[index + 1];
        b = lut[index + 2];
      } else {
        r = g = b = unit(outputs[k]);
      }
      if (!identityMatrix) {
        const r2 = matrix[0] * r + matrix[1] * g + matrix[2] * b;
        const g2 = matrix[3] * r + matrix[4] * g + matrix[5] * b;
        const b2 = matrix[6] * r + matrix[7] * g + matrix[8] * b;
        r = r2;
        g = g2;
        b = b2;
      }
      if (adjusted) {
        r = (r - 0.5) * contrast + 0.5;
        g = (g - 0.5) * contrast + 0.5;
        b = (b - 0.5) * contrast + 0.5;
        r *= brightness;
        g *= brightness;
        b *= brightness;
        if (invert) {
          r = 1 - r;
          g = 1 - g;
          b = 1 - b;
        }
      }
      if (sums) {
        sums[3 * k] += clamp01(r);
        sums[3 * k + 1] += clamp01(g);
        sums[3 * k + 2] += clamp01(b);
      } else {
        rgba![o] = toByte(r);
        rgba![o + 1] = toByte(g);
        rgba![o + 2] = toByte(b);
        rgba![o + 3] = 255;
      }
    }
  }
}

/**
 * The common case of `map` (RGB outputs, no colour adjustment) as one loop
 * without its per-pixel branches and calls, which, paid on every pixel of
 * every frame, are a visible part of a frame's cost. The arithmetic is the
 * same, so are the bytes.
 */
function writePlainRgb(outputs: Float32Array, stride: number, count: number, rgba: Uint8Array | Uint8ClampedArray, firstPixel: number, symmetric: boolean): void {
  const g0 = stride;
  const b0 = 2 * stride;
  let o = firstPixel * 4;
  if (symmetric) {
    for (let k = 0; k < count; k++, o += 4) {
      rgba[o] = toByte(fromSymmetric(outputs[k]));
      rgba[o + 1] = toByte(fromSymmetric(outputs[g0 + k]));
      rgba[o + 2] = toByte(fromSymmetric(outputs[b0 + k]));
      rgba[o + 3] = 255;
    }
    return;
  }
  for (let k = 0; k < count; k++, o += 4) {
    rgba[o] = toByte(outputs[k]);
    rgba[o + 1] = toByte(outputs[g0 + k]);
    rgba[o + 2] = toByte(outputs[b0 + k]);
    rgba[o + 3] = 255;
  }
}

function clamp01(v: number): number {
  // NaN becomes 0, as in toByte.
  return v > 0 ? (v < 1 ? v : 1) : 0;
}

function toByte(v: number): number {
  // Round half up after clamping; NaN becomes 0.
  return v > 0 ? (v < 1 ? (v * 255 + 0.5) | 0 : 255) : 0;
}
