/** Small drawing helpers shared by the pictures cppn-motion makes (maps strips, comparisons, contact sheets). */
import { ImageData, type SKRSContext2D } from '@napi-rs/canvas';

/** DejaVu Sans where it is installed (most Linux systems), else the platform's sans-serif. */
export const FONT_FAMILY = '"DejaVu Sans", "Helvetica Neue", Arial, sans-serif';

export const INK = '#1f2328';
export const MUTED = '#5f6670';
export const FRAME = '#c9ced6';
export const PAPER = '#ffffff';
export const RULE = '#e6e8eb';

export function font(size: number, weight: 'normal' | 'bold' = 'normal'): string {
  return `${weight} ${size}px ${FONT_FAMILY}`;
}

/**
 * Splits text into lines no wider than `width`, breaking at `separator`
 * (kept at the end of a line, trimmed) and, where a piece is still too wide,
 * at spaces.
 */
export function wrapText(ctx: SKRSContext2D, text: string, width: number, separator = ' '): string[] {
  const fits = (line: string): boolean => ctx.measureText(line).width <= width;
  const lines: string[] = [];
  let line = '';
  for (const piece of text.split(separator)) {
    const next = line ? `${line}${separator}${piece}` : piece;
    if (line && !fits(next)) {
      lines.push(line);
      line = piece;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return separator === ' ' ? lines : lines.flatMap((l) => (fits(l) ? [l] : wrapText(ctx, l, width)));
}

/** Draws RGBA pixels at (x, y) with a one-pixel frame around them. */
export function drawPixels(ctx: SKRSContext2D, rgba: Uint8ClampedArray, width: number, height: number, x: number, y: number): void {
  ctx.putImageData(new ImageData(rgba, width, height), x, y);
  ctx.strokeStyle = FRAME;
  ctx.lineWidth = 1;
  ctx.strokeRect(x - 0.5, y - 0.5, width + 1, height + 1);
}
