/**
 * The network's inner images: what every hidden unit paints. One small tile
 * per unit (its value at every pixel), one row per layer, then the output
 * channels and the picture they make. Grey levels follow each activation's own
 * range, so a fading layer looks grey, a saturated one black and white, and a
 * dead relu unit black.
 */
import { createCanvas } from '@napi-rs/canvas';
import { ACTIVATIONS, renderReference } from '../core/index.js';
import type { LoadedScene } from '../scene/index.js';
import { describeNetwork } from './describe.js';
import { drawPixels, font, INK, MUTED, PAPER, RULE, wrapText } from '../encode/drawing.js';
import { colourScale, measureLayer, type LayerStats } from './layer-stats.js';
import { sampleFrame, sampleSize, type SampleLimits } from './sample-frame.js';

export interface NeuronMapsOptions {
  /** Seconds into the scene (default 0). */
  at?: number;
  /** Longer side of a tile in pixels (default 64). */
  tile?: number;
  /** Tiles per line before a wide layer wraps onto another (default 16). */
  perLine?: number;
}

export interface NeuronMaps {
  png: Buffer;
  width: number;
  height: number;
  /** Tile size [width, height]. */
  tile: [number, number];
  /** Tiles drawn per layer, hidden layers first, then the output (its channels and the picture). */
  tilesPerLayer: number[];
}

const GAP = 4;
const LINE_GAP = 4;
const ROW_GAP = 14;
const MARGIN = 20;
const LABEL_WIDTH = 190;
const MIN_WIDTH = 560;

interface Row {
  stats: LayerStats;
  /** One greyscale RGBA tile per unit. */
  tiles: Uint8ClampedArray[];
  /** The output row ends with the picture itself. */
  picture?: Uint8ClampedArray;
}

function greyTiles(values: Float64Array, units: number, pixels: number, toUnit: (v: number) => number): Uint8ClampedArray[] {
  return Array.from({ length: units }, (_, u) => {
    const tile = new Uint8ClampedArray(pixels * 4);
    for (let p = 0; p < pixels; p++) {
      const g = Math.round(Math.min(Math.max(toUnit(values[u * pixels + p]), 0), 1) * 255);
      tile[p * 4] = tile[p * 4 + 1] = tile[p * 4 + 2] = g;
      tile[p * 4 + 3] = 255;
    }
    return tile;
  });
}

/**
 * How a hidden layer's values become grey: the activation's own range, or
 * for unbounded activations the layer's lowest value up to its 98th
 * percentile (a few bright outliers would otherwise leave every tile dark).
 */
function hiddenScale(stats: LayerStats, values: Float64Array): (v: number) => number {
  if (stats.family === 'tanh-like') return (v) => (v + 1) / 2;
  if (stats.family === 'sigmoid-like') return (v) => v;
  const sorted = Float64Array.from(values).sort();
  const low = sorted[0];
  const high = sorted[Math.floor((sorted.length - 1) * 0.98)];
  const span = high - low;
  return span > 0 ? (v) => (v - low) / span : () => 0.5;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0)} %`;
}

function labelLines(row: Row, tiles: number): string[] {
  const s = row.stats;
  const lines = [s.role === 'output' ? `${s.activation} · ${s.units} channel${s.units === 1 ? '' : 's'}` : `${s.activation} · ${s.units} units`];
  lines.push(`varies ${s.pixelStd < 0.001 ? s.pixelStd.toExponential(0) : s.pixelStd.toFixed(3)} across image`);
  if (s.saturated !== undefined) lines.push(`saturated ${percent(s.saturated)}`);
  if (s.dead !== undefined) lines.push(`dead ${Math.round(s.dead * s.units)} of ${s.units}`);
  if (s.role === 'output' && tiles > s.units) lines.push('then the picture');
  return lines;
}

/** Renders the inner-images strip of a scene's frame as a PNG. */
export function renderNeuronMaps(loaded: LoadedScene, options: NeuronMapsOptions = {}): NeuronMaps {
  const at = options.at ?? 0;
  const perLine = options.perLine ?? 16;
  // Up to the requested tile size; very wide networks get smaller tiles, so a sheet stays quick to make.
  const limits: SampleLimits = { maxSide: options.tile ?? 64, minSide: Math.min(options.tile ?? 64, 24), budget: 4e8 };
  const [tw, th] = sampleSize(loaded.model, limits);
  const frame = sampleFrame(loaded, at, [tw, th]);
  const pixels = tw * th;
  const count = frame.weights.layers.length;
  const rows: Row[] = [];
  const result = renderReference(frame, (index, values, units) => {
    const role = index === count - 1 ? 'output' : 'hidden';
    const stats = measureLayer(index + 1, role, frame.activations[index].name, values, units, pixels);
    const scale = role === 'output' ? colourScale(ACTIVATIONS[frame.activations[index].name].range) : hiddenScale(stats, values);
    rows.push({ stats, tiles: greyTiles(values, units, pixels, scale) });
  });
  rows[rows.length - 1].picture = result.rgba;

  const tilesOf = (row: Row): number => row.tiles.length + (row.picture ? 1 : 0);
  const linesOf = (row: Row): number => Math.ceil(tilesOf(row) / perLine);
  const widest = Math.min(perLine, Math.max(...rows.map(tilesOf)));
  const rowHeight = (row: Row): number => Math.max(linesOf(row) * (th + LINE_GAP) - LINE_GAP, 16 + 16 * labelLines(row, tilesOf(row)).length);
  // The header wraps to the strip's width (at least MIN_WIDTH, so a small network still gets readable notes).
  const width = Math.max(MIN_WIDTH, MARGIN * 2 + LABEL_WIDTH + widest * (tw + GAP) - GAP);
  const measure = createCanvas(1, 1).getContext('2d');
  measure.font = font(12);
  const notes = [
    `${describeNetwork(loaded.model)}. One tile per unit: its value at every pixel (float64, ${tw}×${th}).`,
    'Black → white: −1 → 1 (tanh-like), 0 → 1 (sigmoid-like), the layer’s lowest value → its 98th percentile (relu-like, identity).',
  ].flatMap((note) => wrapText(measure, note, width - 2 * MARGIN));
  const headerHeight = 26 + 16 * notes.length + 12;
  const height = MARGIN * 2 + headerHeight + rows.reduce((sum, row) => sum + rowHeight(row) + ROW_GAP, 0) - ROW_GAP;

  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'top';
  ctx.fillStyle = INK;
  ctx.font = font(17, 'bold');
  ctx.fillText(`Inner images of ${loaded.scene.name} at ${at} s`, MARGIN, MARGIN);
  ctx.fillStyle = MUTED;
  ctx.font = font(12);
  notes.forEach((line, i) => ctx.fillText(line, MARGIN, MARGIN + 26 + 16 * i));

  let y = MARGIN + headerHeight;
  for (const [i, row] of rows.entries()) {
    const s = row.stats;
    if (i > 0) {
      ctx.fillStyle = RULE;
      ctx.fillRect(MARGIN, y - Math.round(ROW_GAP / 2) - 1, width - 2 * MARGIN, 1);
    }
    ctx.fillStyle = INK;
    ctx.font = font(14, 'bold');
    ctx.fillText(s.role === 'output' ? 'output' : `layer ${s.layer}`, MARGIN, y);
    ctx.font = font(12);
    ctx.fillStyle = MUTED;
    labelLines(row, tilesOf(row)).forEach((line, i) => ctx.fillText(line, MARGIN, y + 19 + 16 * i));
    const images = row.picture ? [...row.tiles, row.picture] : row.tiles;
    images.forEach((rgba, i) => {
      const x = MARGIN + LABEL_WIDTH + (i % perLine) * (tw + GAP);
      const ty = y + Math.floor(i / perLine) * (th + LINE_GAP);
      drawPixels(ctx, rgba, tw, th, x, ty);
    });
    y += rowHeight(row) + ROW_GAP;
  }
  return { png: canvas.encodeSync('png'), width, height, tile: [tw, th], tilesPerLayer: rows.map(tilesOf) };
}
