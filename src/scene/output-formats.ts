/**
 * What the scene knows of each output format: its name, one line for the
 * help and the schema, its options under `output.<name>`, and the smallest
 * frame it can hold. Pure (the browser validates scenes too); how a format is
 * encoded, read back and checked by `doctor` lives beside its encoder in
 * src/encode/formats/, whose registry must cover every name here.
 */
import { z } from 'zod';
import { sizeSchema } from './frame-size.js';

export const GIF_DITHERS = ['none', 'bayer', 'sierra2_4a', 'floyd_steinberg'] as const;
export const MP4_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;


/** "5MB", "800kB", "2.5 MiB" or a number of bytes. */
export function parseByteSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text > 0 ? Math.round(text) : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$/i.exec(text);
  if (!match) return undefined;
  const units: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };
  const bytes = Math.round(Number(match[1]) * units[(match[2] ?? 'b').toLowerCase()]);
  return bytes > 0 ? bytes : undefined;
}

const byteSize = z
  .union([z.number().positive(), z.string()])
  .refine((v) => parseByteSize(v) !== undefined, 'write a size in bytes such as 5MB, 800kB or 2000000');

export interface FormatDescription {
  /** One line: what the output is (help text, schema description). */
  summary: string;
  /** The options under output.<name>, if any. */
  options?: z.ZodType;
  /** Smallest side in pixels the format can encode. */
  minSide: number;
}

export const OUTPUT_FORMATS = {
  mp4: {
    summary: 'H.264 video',
    minSide: 2,
    options: z
      .strictObject({
        crf: z.int().min(0).max(51).default(16).describe('H.264 quality: lower is better (16 to 18 is visually lossless).'),
        preset: z
          .enum(MP4_PRESETS)
          .default('veryfast')
          .describe('x264 speed. The defaults, veryfast at crf 16, give better fidelity than medium at crf 18 in under 40 % of its CPU time, for files about 20 % larger.'),
      })
      .prefault({}),
  },
  gif: {
    summary: 'animated GIF',
    minSide: 1,
    options: z
      .strictObject({
        // colors, dither and maxBytes are described by the options that override them (options/table.ts).
        colors: z.int().min(2).max(256).default(256),
        dither: z.enum(GIF_DITHERS).default('none'),
        bayerScale: z.int().min(0).max(5).default(2).describe('bayer dithering: pattern strength (0 strong … 5 faint).'),
        size: sizeSchema.optional().describe('Scale the GIF to this size (default: the frame size, scaled down to 640 pixels on its longer side when it is larger, so the GIF stays small enough to share; a maxBytes search starts from it).'),
        fps: z
          .number()
          .positive()
          .max(50, 'GIF delays are hundredths of a second and browsers slow down anything faster than 50 fps; use 50 or less')
          .optional()
          .describe('GIF frame rate, at most 50 (default: the video fps, or every k-th frame where the video is faster than 50 fps or large: a 512×512, 30 fps video gives 15 fps).'),
        tolerance: z
          .int()
          .min(0)
          .max(64)
          .default(2)
          .describe('The colour error (per channel, 0–255) the GIF may make to save bytes: fewer palette colours, longer compressed runs, and pixels left as they were while they stay this close. 0: every pixel gets its nearest palette colour.'),
        maxBytes: byteSize.optional(),
      })
      .prefault({}),
  },
  webm: {
    summary: 'VP9 video',
    minSide: 2,
    options: z.strictObject({ crf: z.int().min(0).max(63).default(32).describe('VP9 quality: lower is better.') }).prefault({}),
  },
  webp: {
    summary: 'animated WebP',
    minSide: 1,
    options: z
      .strictObject({
        lossless: z.boolean().default(false).describe('Lossless WebP (larger; exact colours).'),
        quality: z.number().min(0).max(100).default(80).describe('Lossy quality 0–100 (or, lossless, the effort).'),
      })
      .prefault({}),
  },
  apng: {
    summary: 'animated PNG, lossless, .apng',
    minSide: 1,
  },
  png: {
    summary: 'a folder of PNG frames',
    minSide: 1,
  },
} as const satisfies Record<string, FormatDescription>;

export type Format = keyof typeof OUTPUT_FORMATS;
export const FORMATS = Object.keys(OUTPUT_FORMATS) as [Format, ...Format[]];

/** "mp4 (H.264 video), gif (animated GIF), …" for help texts and messages. */
export function describeFormats(): string {
  return FORMATS.map((name) => `${name} (${OUTPUT_FORMATS[name].summary})`).join(', ');
}

type OptionsOf<F extends Format> = (typeof OUTPUT_FORMATS)[F] extends { options: infer S } ? S : never;
type FormatsWithOptions = { [F in Format]: (typeof OUTPUT_FORMATS)[F] extends { options: z.ZodType } ? F : never }[Format];

/** The `output.<format>` keys of the scene schema, one per format that has options. */
export const formatOptionShapes = Object.fromEntries(
  FORMATS.flatMap((name) => {
    const description: FormatDescription = OUTPUT_FORMATS[name];
    return description.options ? [[name, description.options]] : [];
  }),
) as { [F in FormatsWithOptions]: OptionsOf<F> };
