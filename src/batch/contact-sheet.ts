/**
 * The contact sheet of a series: one frame per item in a labelled grid (what
 * varies written under each), drawn with @napi-rs/canvas. The same layout
 * serves the still sheet and the animated one, whose frames are the labelled
 * background with every item's frame copied into its cell.
 */
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { drawPixels, font, INK, MUTED, PAPER } from '../encode/drawing.js';

export interface SheetLabel {
  title: string;
  detail: string;
}

export interface SheetLayout {
  width: number;
  height: number;
  /** Top-left corner of each item's cell. */
  cells: Array<{ x: number; y: number }>;
  cell: [number, number];
}

export interface Picture {
  width: number;
  height: number;
  /** RGBA, row by row. */
  data: Uint8Array;
}

const PAD = 16;
const GAP = 12;
const HEADING = 28;
const LABEL = 40;

export function columnsFor(count: number): number {
  return Math.min(6, Math.max(1, Math.ceil(Math.sqrt(count))));
}

export function sheetLayout(count: number, cell: [number, number]): SheetLayout {
  const columns = columnsFor(count);
  const rows = Math.ceil(count / columns);
  const [cw, ch] = cell;
  return {
    width: PAD * 2 + columns * cw + (columns - 1) * GAP,
    height: PAD * 2 + HEADING + rows * (ch + LABEL) + (rows - 1) * GAP,
    cells: Array.from({ length: count }, (_, i) => ({ x: PAD + (i % columns) * (cw + GAP), y: PAD + HEADING + Math.floor(i / columns) * (ch + LABEL + GAP) })),
    cell,
  };
}

/** Shortens text with an ellipsis until it fits `width` pixels. */
function fit(ctx: SKRSContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let cut = text;
  while (cut.length > 1 && ctx.measureText(`${cut}…`).width > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function drawSheet(heading: string, labels: SheetLabel[], layout: SheetLayout, pictures?: Picture[]): Canvas {
  const canvas = createCanvas(layout.width, layout.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, layout.width, layout.height);
  ctx.fillStyle = INK;
  ctx.font = font(16, 'bold');
  ctx.textBaseline = 'top';
  ctx.fillText(heading, PAD, PAD);
  const [cw, ch] = layout.cell;
  labels.forEach((label, i) => {
    const { x, y } = layout.cells[i];
    const picture = pictures?.[i];
    if (picture) {
      const pixels = new Uint8ClampedArray(picture.data.buffer, picture.data.byteOffset, picture.width * picture.height * 4);
      drawPixels(ctx, pixels, picture.width, picture.height, x, y);
    }
    ctx.fillStyle = INK;
    ctx.font = font(12, 'bold');
    ctx.fillText(fit(ctx, label.title, cw), x, y + ch + 6);
    ctx.fillStyle = MUTED;
    ctx.font = font(11);
    ctx.fillText(fit(ctx, label.detail, cw), x, y + ch + 22);
  });
  return canvas;
}

/** The still contact sheet as PNG; every picture is at most `cell` in size. */
export function drawContactSheet(heading: string, labels: SheetLabel[], pictures: Picture[], cell: [number, number]): Buffer {
  return drawSheet(heading, labels, sheetLayout(labels.length, cell), pictures).encodeSync('png');
}

/** The animated sheet's background (heading and labels), as RGBA. */
export function sheetBackground(heading: string, labels: SheetLabel[], layout: SheetLayout): Uint8Array {
  const ctx = drawSheet(heading, labels, layout).getContext('2d');
  return new Uint8Array(ctx.getImageData(0, 0, layout.width, layout.height).data.buffer);
}

/** Copies `picture` into `frame` (RGBA, layout.width wide) at cell `index`. */
export function placePicture(frame: Uint8Array, layout: SheetLayout, index: number, picture: Picture): void {
  const { x, y } = layout.cells[index];
  const rowBytes = picture.width * 4;
  for (let row = 0; row < picture.height; row++) {
    frame.set(picture.data.subarray(row * rowBytes, (row + 1) * rowBytes), ((y + row) * layout.width + x) * 4);
  }
}
