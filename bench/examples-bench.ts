/**
 * How the example scenes look, in numbers and in one picture: for every
 * animated example, the mean brightness and contrast (the standard deviation
 * of the grey level within a frame, averaged over the frames) on the preview
 * `pacing: even` measures with, and the change from frame to frame (the same
 * measure as `inspect --motion`: median, max, spread). Writes a contact sheet
 * of every example at five moments (`--sheet FILE`, default
 * output/examples-sheet.png). Run with `npm run bench:examples`, or
 * `npx tsx bench/examples-bench.ts scenes/drift.yaml scenes/orbit.yaml` for a few.
 */
import { createCanvas } from '@napi-rs/canvas';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { drawPixels, font, INK, MUTED, PAPER } from '../src/encode/drawing.js';
import { measureMotion } from '../src/inspect/index.js';
import { FrameRenderer } from '../src/render/frame-renderer.js';
import { FrameBuilder, isStillScene, loadScene, PreviewRenderer, previewSize, sceneFromFile, validateSceneData, type LoadedScene } from '../src/scene/index.js';

const args = process.argv.slice(2);
const sheetAt = args.indexOf('--sheet');
const sheetPath = sheetAt >= 0 ? args[sheetAt + 1] : 'output/examples-sheet.png';
const named = args.filter((a, i) => !a.startsWith('--') && (sheetAt < 0 || i !== sheetAt + 1));
const paths = named.length > 0 ? named : readdirSync('scenes').filter((f) => f.endsWith('.yaml')).sort().map((f) => join('scenes', f));

/** Mean grey level and its standard deviation within the frame, both 0–255. */
function tone(rgba: Uint8Array): { mean: number; std: number } {
  let sum = 0;
  let squares = 0;
  const n = rgba.length / 4;
  for (let i = 0; i < rgba.length; i += 4) {
    const grey = 0.2126 * rgba[i] + 0.7152 * rgba[i + 1] + 0.0722 * rgba[i + 2];
    sum += grey;
    squares += grey * grey;
  }
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, squares / n - mean * mean)) };
}

interface Row {
  name: string;
  kind: string;
  brightness: number;
  contrast: number;
  /** The frame of least contrast. */
  lowest: number;
  median?: number;
  max?: number;
  spread?: number;
}

function measure(loaded: LoadedScene): Row {
  const { model } = loaded;
  const builder = new FrameBuilder(model, loaded.library);
  const preview = new PreviewRenderer(previewSize(model.width, model.height, model.shape));
  const still = isStillScene(loaded.scene);
  const frames = still ? 1 : model.timeline.frameCount;
  const tones = Array.from({ length: frames }, (_, i) => tone(preview.render(builder.frame(i))));
  const row: Row = {
    name: model.name,
    kind: still ? 'still' : 'video',
    brightness: tones.reduce((s, t) => s + t.mean, 0) / frames,
    contrast: tones.reduce((s, t) => s + t.std, 0) / frames,
    lowest: Math.min(...tones.map((t) => t.std)),
  };
  if (still) return row;
  const motion = measureMotion(loaded);
  return { ...row, median: motion.median, max: motion.max, spread: motion.spread };
}

const CELL = 150;
const MOMENTS = [0, 0.2, 0.4, 0.6, 0.8];

/** Five moments of the scene, each at most CELL pixels on its longer side. */
function moments(loaded: LoadedScene): Array<{ at: number; data: Uint8Array; width: number; height: number }> {
  const [w, h] = [loaded.model.width, loaded.model.height];
  const scale = CELL / Math.max(w, h);
  const size: [number, number] = [Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale))];
  const small = validateSceneData({ ...loaded.scene, output: { ...loaded.scene.output, size } });
  const renderer = new FrameRenderer(sceneFromFile(small, loaded.origin, '/', loaded.model.name, loaded.library).scene, loaded.library);
  const times = isStillScene(loaded.scene) ? [0] : MOMENTS.map((m) => m * loaded.scene.output.duration);
  return times.map((at) => ({ at, data: renderer.renderFrame({ time: at }), width: size[0], height: size[1] }));
}

const f = (v: number | undefined, digits = 1): string => (v === undefined ? '—' : v.toFixed(digits));

const rows: Row[] = [];
const sheets: Array<{ name: string; kind: string; pictures: ReturnType<typeof moments> }> = [];
console.log('| scene | kind | brightness | contrast (std) | lowest contrast | change median | max | spread |');
console.log('|---|---|---|---|---|---|---|---|');
for (const path of paths) {
  const loaded = loadScene(path);
  const row = measure(loaded);
  rows.push(row);
  console.log(`| ${row.name} | ${row.kind} | ${f(row.brightness, 0)} | ${f(row.contrast, 0)} | ${f(row.lowest, 0)} | ${f(row.median)} | ${f(row.max)} | ${f(row.spread, 2)} |`);
  sheets.push({ name: row.name, kind: row.kind, pictures: moments(loaded) });
}

const PAD = 12;
const LABEL = 120;
const canvas = createCanvas(PAD * 2 + LABEL + MOMENTS.length * (CELL + 6), PAD * 2 + sheets.length * (CELL + 8));
const ctx = canvas.getContext('2d');
ctx.fillStyle = PAPER;
ctx.fillRect(0, 0, canvas.width, canvas.height);
sheets.forEach((sheet, row) => {
  const y = PAD + row * (CELL + 8);
  ctx.fillStyle = INK;
  ctx.font = font(13, 'bold');
  ctx.textBaseline = 'top';
  ctx.fillText(sheet.name, PAD, y + 4);
  ctx.fillStyle = MUTED;
  ctx.font = font(11);
  ctx.fillText(sheet.kind, PAD, y + 22);
  sheet.pictures.forEach((p, i) => {
    drawPixels(ctx, new Uint8ClampedArray(p.data.buffer, p.data.byteOffset, p.data.length), p.width, p.height, PAD + LABEL + i * (CELL + 6), y);
  });
});
mkdirSync(dirname(sheetPath), { recursive: true });
writeFileSync(sheetPath, canvas.encodeSync('png'));
console.log(`\nwrote ${sheetPath}`);
