/**
 * The contact sheet of a series: one representative frame per item in a
 * labelled grid (what varies written under each), drawn with @napi-rs/canvas.
 */
import { createCanvas } from '@napi-rs/canvas';
import { drawPixels, font, INK, MUTED, PAPER } from '../encode/drawing.js';
import type { Still } from '../render/still.js';

export interface SheetCell {
  title: string;
  detail: string;
  still: Still;
}

const PAD = 16;
const GAP = 12;
const LABEL = 40;

export function columnsFor(count: number): number {
  return Math.min(6, Math.max(1, Math.ceil(Math.sqrt(count))));
}

/** Draws the sheet; `cell` is the size of the largest still. */
export function drawContactSheet(heading: string, cells: SheetCell[], cell: [number, number]): Buffer {
  const columns = columnsFor(cells.length);
  const rows = Math.ceil(cells.length / columns);
  const [cw, ch] = cell;
  const width = PAD * 2 + columns * cw + (columns - 1) * GAP;
  const height = PAD * 2 + 28 + rows * (ch + LABEL) + (rows - 1) * GAP;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = INK;
  ctx.font = font(16, 'bold');
  ctx.textBaseline = 'top';
  ctx.fillText(heading, PAD, PAD);
  cells.forEach((c, i) => {
    const x = PAD + (i % columns) * (cw + GAP);
    const y = PAD + 28 + Math.floor(i / columns) * (ch + LABEL + GAP);
    const pixels = new Uint8ClampedArray(c.still.data.buffer, c.still.data.byteOffset, c.still.width * c.still.height * 4);
    drawPixels(ctx, pixels, c.still.width, c.still.height, x + Math.floor((cw - c.still.width) / 2), y + Math.floor((ch - c.still.height) / 2));
    ctx.fillStyle = INK;
    ctx.font = font(12, 'bold');
    ctx.fillText(fit(ctx, c.title, cw), x, y + ch + 6);
    ctx.fillStyle = MUTED;
    ctx.font = font(11);
    ctx.fillText(fit(ctx, c.detail, cw), x, y + ch + 22);
  });
  return canvas.encodeSync('png');
}

/** Shortens text with an ellipsis until it fits `width` pixels. */
function fit(ctx: { measureText(text: string): { width: number } }, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let cut = text;
  while (cut.length > 1 && ctx.measureText(`${cut}…`).width > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}
