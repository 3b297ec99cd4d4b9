/**
 * Several stills side by side, each labelled with its scene and a few words
 * about its network: to show what depth, width, weight scale or activation
 * change, as the write-ups do (0 / 1 / 8 / 16 layers, 8×16 against 8×32).
 */
import { createCanvas } from '@napi-rs/canvas';
import { createRenderPool, defaultWorkerCount } from '../render/pool.js';
import { renderStill, type Still } from '../render/still.js';
import type { LoadedScene } from '../scene/index.js';
import { describeNetwork } from './describe.js';
import { drawPixels, font, INK, MUTED, PAPER, wrapText } from '../encode/drawing.js';

export interface ComparisonEntry {
  scene: LoadedScene;
  /** Defaults to the scene's name. */
  label?: string;
}

export interface ComparisonOptions {
  /** Seconds into each scene (default 0). */
  at?: number;
  /** Stills per row (default: all of them, up to 4). */
  columns?: number;
  /** Worker threads shared by the stills (default: one per core). */
  workers?: number;
}

export interface Comparison {
  png: Buffer;
  width: number;
  height: number;
}

const MARGIN = 20;
const GAP = 20;
const LINE = 16;

/** Renders each scene's still at its own size and lays them out in a labelled grid. */
export async function compareScenes(entries: readonly ComparisonEntry[], options: ComparisonOptions = {}): Promise<Comparison> {
  const workers = options.workers ?? defaultWorkerCount();
  const pool = workers > 1 ? createRenderPool(workers) : undefined;
  const stills: Still[] = [];
  try {
    for (const entry of entries) stills.push(await renderStill(entry.scene, { at: options.at, workers, pool }));
  } finally {
    await pool?.destroy();
  }
  const columns = Math.max(1, Math.min(options.columns ?? Math.min(entries.length, 4), entries.length));
  const rows = Math.ceil(entries.length / columns);
  const cellWidth = Math.max(...stills.map((s) => s.width), 160);
  const imageHeight = Math.max(...stills.map((s) => s.height));

  // Captions wrap to the cell's width; every row gets the height of its tallest caption.
  const measure = createCanvas(1, 1).getContext('2d');
  const captions = entries.map((entry) => {
    measure.font = font(14, 'bold');
    const title = wrapText(measure, entry.label ?? entry.scene.scene.name ?? entry.scene.origin, cellWidth);
    measure.font = font(12);
    const detail = wrapText(measure, describeNetwork(entry.scene.model), cellWidth, ' · ');
    return { title, detail };
  });
  const captionHeight = Math.max(...captions.map((c) => 10 + 18 * c.title.length + LINE * c.detail.length));
  const cellHeight = imageHeight + captionHeight;
  const width = MARGIN * 2 + columns * cellWidth + (columns - 1) * GAP;
  const height = MARGIN * 2 + rows * cellHeight + (rows - 1) * GAP;

  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  stills.forEach((still, i) => {
    const x = MARGIN + (i % columns) * (cellWidth + GAP);
    const y = MARGIN + Math.floor(i / columns) * (cellHeight + GAP);
    // A copy: the still may live in shared memory, which the canvas does not take.
    const rgba = Uint8ClampedArray.from(still.data);
    drawPixels(ctx, rgba, still.width, still.height, x + Math.floor((cellWidth - still.width) / 2), y + Math.floor((imageHeight - still.height) / 2));
    const centre = x + cellWidth / 2;
    let ty = y + imageHeight + 10;
    ctx.fillStyle = INK;
    ctx.font = font(14, 'bold');
    for (const line of captions[i].title) {
      ctx.fillText(line, centre, ty);
      ty += 18;
    }
    ctx.fillStyle = MUTED;
    ctx.font = font(12);
    for (const line of captions[i].detail) {
      ctx.fillText(line, centre, ty);
      ty += LINE;
    }
  });
  return { png: canvas.encodeSync('png'), width, height };
}
