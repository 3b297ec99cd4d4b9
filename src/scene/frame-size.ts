/**
 * Frame sizes, "WIDTHxHEIGHT" or [width, height], with the same limits in both
 * forms: the video's size and every format's own size option use this one
 * schema.
 */
import { z } from 'zod';

/** Largest side and pixel count a frame may have: beyond, memory runs out before anything useful renders. */
export const LIMITS = { side: 16384, pixels: 64 * 1024 * 1024, frames: 100_000, fps: 120, duration: 3600, layers: 64, width: 1024, weights: 16 * 1024 * 1024, antialias: 8 } as const;

const side = z.int().min(1).max(LIMITS.side);

/** What is wrong with a frame size, if anything: the same limits for "WxH" and [w, h]. */
export function sizeProblem(width: number, height: number): string | undefined {
  if (!(width >= 1 && height >= 1 && width <= LIMITS.side && height <= LIMITS.side)) return `each side must be between 1 and ${LIMITS.side} pixels`;
  if (width * height > LIMITS.pixels) return `${width}x${height} is more than ${LIMITS.pixels / 1024 / 1024} megapixels`;
  return undefined;
}

const sizeText = z
  .string()
  .regex(/^\d+x\d+$/, 'write a size as WIDTHxHEIGHT, e.g. 512x512')
  .superRefine((text, ctx) => {
    const problem = sizeProblem(...(text.split('x').map(Number) as [number, number]));
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const sizeSchema = z
  .union([z.tuple([side, side]), sizeText])
  .describe('Frame size in pixels: [width, height] or "WIDTHxHEIGHT".');
