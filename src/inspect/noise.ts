/**
 * Static: the opposite of grey goo. When the picture has detail finer than
 * its pixels, each pixel shows whatever the pattern happens to be at its
 * centre: the frame looks like TV static, shimmers from one frame to the
 * next as the pattern moves under the pixel grid, and swells a GIF. The usual
 * cause is a periodic activation (cos, sin) whose frequency, multiplied layer
 * after layer by large weights, makes the pattern repeat within a pixel or two.
 *
 * The measure is what antialiasing would change: a few small windows of the
 * frame, at the scene's own pixel spacing, rendered as the scene renders them
 * and with many samples per pixel. A picture that is smooth at the pixel
 * scale looks the same both ways; static does not.
 */
import { ACTIVATIONS, createKernel, detCos, detSin, multiplyAddsPerPixel, renderReference, renderRows, type FrameDescription } from '../core/index.js';
import { stillTime } from '../render/still.js';
import { FrameBuilder, sceneFromFile, validateSceneData, type LoadedScene, type SceneFile } from '../scene/index.js';

/**
 * The picture counts as static when half its pixels or more are further than
 * this (0–1 colour scale, their most different channel) from the mean colour
 * over their own area (sampled 4× finer per side than the frame). 0.02 is 5 of the 255 steps of a channel:
 * differences that size, different at every pixel and every frame, read as
 * grain. Measured at 512 px: scenes/static.yaml (cos(3·x), 4 layers of 32,
 * normal(0, 1)) gives 0.49; every other example scene 0.000 (even the
 * hard-edged ones, whose edges are a small share of the pixels). Sweeping the
 * static scene's frequency crosses the line between 1.2 (0.012, fine detail
 * that still reads as a picture) and 1.3 (0.024, where 1:1 crops turn grainy).
 */
export const NOISE_LINE = 0.02;

/**
 * The reference takes this many times the frame's samples per pixel side
 * (4×4 for a frame without antialiasing; 6×6 ranks the scenes the same at
 * twice the cost).
 */
const REFERENCE_FACTOR = 4;
/**
 * Side of each window in pixels (at most), and the multiply-adds one moment's
 * check may take: wide networks get smaller windows, never below 8 px.
 */
const WINDOW = 16;
const BUDGET = 6e7;
/** Where the windows sit: fractions of the half-width and half-height from the centre. */
const WINDOW_PLACES: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [-0.5, -0.5],
  [0.5, -0.5],
  [-0.5, 0.5],
  [0.5, 0.5],
];

/** A small window of `frame` around image point (u0, v0) (in shorter-side units), at the frame's own pixel spacing. */
function windowOf(frame: FrameDescription, u0: number, v0: number, side: number): FrameDescription {
  const short = Math.min(frame.width, frame.height);
  const { zoom, rotation } = frame.view;
  const theta = (rotation * Math.PI) / 180;
  const [c, s] = [detCos(theta), detSin(theta)];
  const [cx, cy] = frame.view.center;
  return {
    ...frame,
    width: side,
    height: side,
    view: { zoom: (zoom * side) / short, rotation, center: [zoom * (u0 * c - v0 * s) + cx, zoom * (u0 * s + v0 * c) + cy] },
  };
}

/** The windows of a frame the measure looks at. */
function windows(frame: FrameDescription, samples: number): FrameDescription[] {
  const short = Math.min(frame.width, frame.height);
  const affordable = Math.floor(Math.sqrt(BUDGET / (WINDOW_PLACES.length * samples * multiplyAddsPerPixel(frame.shape))));
  const side = Math.min(Math.max(8, Math.min(WINDOW, affordable)), frame.width, frame.height);
  return WINDOW_PLACES.map(([a, b]) => windowOf(frame, (a * frame.width) / (2 * short), (b * frame.height) / (2 * short), side));
}

/**
 * The median over the windows' pixels of how far each pixel (its most
 * different channel, 0–1 scale) is from the mean colour over its own area.
 * Hard edges (uniform ±100, the Mondrian) differ only along the edges and
 * leave the median at 0; static moves nearly every pixel.
 */
export function noiseOfFrame(frame: FrameDescription): number {
  const kernel = createKernel(frame.shape);
  const perPixel: number[] = [];
  const shownSamples = frame.antialias ?? 1;
  const referenceSamples = REFERENCE_FACTOR * shownSamples;
  for (const win of windows(frame, shownSamples ** 2 + referenceSamples ** 2)) {
    const pixels = win.width * win.height;
    const shown = new Uint8Array(pixels * 4);
    const reference = new Uint8Array(pixels * 4);
    renderRows(win, kernel, shown);
    renderRows({ ...win, antialias: referenceSamples }, kernel, reference);
    for (let i = 0; i < shown.length; i += 4) {
      const d = Math.max(Math.abs(shown[i] - reference[i]), Math.abs(shown[i + 1] - reference[i + 1]), Math.abs(shown[i + 2] - reference[i + 2]));
      perPixel.push(d / 255);
    }
  }
  perPixel.sort((a, b) => a - b);
  return perPixel[Math.floor(perPixel.length / 2)];
}

function frameAt(loaded: LoadedScene, at: number): FrameDescription {
  return new FrameBuilder(loaded.model, loaded.library).atTime(stillTime(loaded, at));
}

/** The static measure of a scene (see noiseOfFrame): the largest over the given moments. */
export function measureNoise(loaded: LoadedScene, times: readonly number[] = [0]): number {
  return Math.max(...times.map((at) => noiseOfFrame(frameAt(loaded, at))));
}

/**
 * How alike neighbouring pixels are in each layer (the correlation between a
 * unit's value at a pixel and at the next pixel, averaged over the layer's
 * units): near 1 where the layer's patterns span many pixels, near 0 where
 * they change from one pixel to the next.
 */
export function neighbourCorrelations(frame: FrameDescription): number[] {
  const win = windowOf(frame, 0, 0, Math.min(32, frame.width, frame.height));
  const w = win.width;
  const h = win.height;
  const pixels = w * h;
  const out: number[] = [];
  renderReference(win, (_layer, values, units) => {
    let total = 0;
    let counted = 0;
    for (let u = 0; u < units; u++) {
      const row = values.subarray(u * pixels, (u + 1) * pixels);
      let mean = 0;
      for (let p = 0; p < pixels; p++) mean += row[p];
      mean /= pixels;
      let variance = 0;
      for (let p = 0; p < pixels; p++) variance += (row[p] - mean) ** 2;
      variance /= pixels;
      if (variance < 1e-12) continue;
      let diffSq = 0;
      let pairs = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const p = y * w + x;
          if (x + 1 < w) {
            diffSq += (row[p + 1] - row[p]) ** 2;
            pairs++;
          }
          if (y + 1 < h) {
            diffSq += (row[p + w] - row[p]) ** 2;
            pairs++;
          }
        }
      }
      // var(a − b) = 2·var·(1 − ρ) for two values of the same spread.
      total += 1 - diffSq / pairs / (2 * variance);
      counted++;
    }
    out.push(counted > 0 ? total / counted : 1);
  });
  return out;
}

export interface Noise {
  at: number;
  /** Median difference of a pixel from the mean over its area, 0–1 colour scale (see noiseOfFrame). */
  median: number;
  reason: string;
  /** Changes (as YAML keys) that were checked to bring the measure under the line. */
  fixes: string[];
  message: string;
}

const fmt = (v: number): string => (Math.abs(v) >= 0.1 ? v.toFixed(2) : v.toFixed(3));

function describeLayer(frame: FrameDescription, index: number): string {
  const a = frame.activations[index];
  const takesFrequency = (ACTIVATIONS[a.name].params as readonly string[]).includes('frequency');
  const last = index === frame.activations.length - 1;
  return `${last ? 'the output layer' : `layer ${index + 1}`} (${a.name}${takesFrequency ? `, frequency ${a.frequency}` : ''})`;
}

function describeInit(scene: SceneFile): string {
  const init = scene.network.init;
  const scale = scene.network.scale !== 1 ? ` × ${scene.network.scale}` : '';
  if (scene.weights !== undefined) return `the weights from ${scene.weights}${scale}`;
  if (init === 'pytorch-default') return `pytorch-default weights${scale}`;
  if ('uniform' in init) return `uniform [${init.uniform[0]}, ${init.uniform[1]}] weights${scale}`;
  return `normal(${init.normal.mean}, ${init.normal.std}) weights${scale}`;
}

/** Which layer makes the picture change faster than the pixel grid, in the network's terms. */
function explain(loaded: LoadedScene, frame: FrameDescription): string {
  const correlations = neighbourCorrelations(frame);
  const first = correlations.findIndex((c) => c < 0.5);
  const zoom = frame.view.zoom;
  const periodic = frame.activations.some((a) => (ACTIVATIONS[a.name].params as readonly string[]).includes('frequency'));
  const cause = `${describeInit(loaded.scene)}${periodic ? ' and the frequency of the periodic layers multiply how fast each layer\'s input changes across the image' : ' make each layer\'s input change fast across the image'}, at view zoom ${zoom}`;
  if (first < 0) return `the pattern grows finer layer by layer until, at the output, neighbouring pixels correlate only ${fmt(correlations[correlations.length - 1])}: ${cause}`;
  const before = first > 0 ? `${fmt(correlations[first - 1])} in ${describeLayer(frame, first - 1)} to ` : '';
  return `neighbouring pixels stop being alike at ${describeLayer(frame, first)}: their correlation falls from ${before}${fmt(correlations[first])} there: ${cause}`;
}

function variant(loaded: LoadedScene, change: (scene: SceneFile) => SceneFile): LoadedScene | undefined {
  try {
    const scene = validateSceneData(change(loaded.scene));
    return sceneFromFile(scene, loaded.origin, '/', scene.name!, loaded.library);
  } catch {
    return undefined;
  }
}

function quiet(loaded: LoadedScene | undefined, at: number): boolean {
  return loaded !== undefined && measureNoise(loaded, [at]) < NOISE_LINE;
}

/** Changes that bring the measure under the line on the scene's own pixel spacing, as YAML keys. */
function findFixes(loaded: LoadedScene, at: number): string[] {
  const { scene } = loaded;
  const fixes: string[] = [];
  const animated = (name: string): boolean => scene.keyframes.some((k) => (k as Record<string, unknown>)[name] !== undefined);
  const activation = scene.network.activation;
  const specs = Array.isArray(activation) ? activation : [activation];
  const periodic = specs.find((s): s is Exclude<typeof s, string> => typeof s === 'object' && (s.name === 'cos' || s.name === 'sin'));
  if (periodic && !Array.isArray(activation) && !animated('frequency')) {
    const f = periodic.frequency ?? 1;
    const lower = [f / 2, f / 4, f / 8].map((v) => Number(v.toPrecision(2))).find((v) => quiet(variant(loaded, (s) => ({ ...s, network: { ...s.network, activation: { ...periodic, frequency: v } } })), at));
    if (lower !== undefined) fixes.push(`network.activation: { name: ${periodic.name}, frequency: ${lower} }`);
  }
  if (!animated('scale')) {
    const scale = [0.5, 0.25, 0.125].map((k) => Number((k * scene.network.scale).toPrecision(3))).find((v) => quiet(variant(loaded, (s) => ({ ...s, network: { ...s.network, scale: v } })), at));
    if (scale !== undefined) fixes.push(`network.scale: ${scale}`);
  }
  if (!animated('zoom')) {
    const zoom = [0.5, 0.25, 0.125].map((k) => Number((k * scene.view.zoom).toPrecision(3))).find((v) => quiet(variant(loaded, (s) => ({ ...s, view: { ...s.view, zoom: v } })), at));
    if (zoom !== undefined) fixes.push(`view.zoom: ${zoom}`);
  }
  const samples = [2, 3, 4].filter((n) => n > scene.output.antialias).find((n) => quiet(variant(loaded, (s) => ({ ...s, output: { ...s.output, antialias: n } })), at));
  if (samples !== undefined) fixes.push(`output.antialias: ${samples}`);
  return fixes;
}

export interface NoiseOptions {
  /** Seconds into the scene; with several, the noisiest counts. Default 0. */
  at?: number | readonly number[];
}

/** Checks a scene for static; undefined when its picture is smooth at the pixel scale. */
export function detectNoise(loaded: LoadedScene, options: NoiseOptions = {}): Noise | undefined {
  const times = typeof options.at === 'number' ? [options.at] : options.at && options.at.length > 0 ? options.at : [0];
  let worst = { at: times[0], median: -1 };
  for (const at of times) {
    const median = measureNoise(loaded, [at]);
    if (median > worst.median) worst = { at, median };
  }
  if (worst.median < NOISE_LINE) return undefined;
  const frame = frameAt(loaded, worst.at);
  const reason = explain(loaded, frame);
  const fixes = findFixes(loaded, worst.at);
  const message = [
    `static: the picture of ${loaded.scene.name} has detail finer than its pixels (half its pixels are ${fmt(worst.median)} or more from the mean colour over their own area, on the 0–1 colour scale; above ${NOISE_LINE} it reads as grain that shimmers from frame to frame and swells GIFs)`,
    `  why: ${reason}`,
    fixes.length > 0 ? `  try (each checked on a small preview): ${fixes.join('  ·  ')}` : '  try: a lower frequency or weight scale, zooming in (a smaller view.zoom), or output.antialias: 3',
  ].join('\n');
  return { at: worst.at, median: worst.median, reason, fixes, message };
}

/** The static warning for a scene, or undefined when its picture is smooth at the pixel scale. */
export function noiseWarning(loaded: LoadedScene, options: NoiseOptions = {}): string | undefined {
  return detectNoise(loaded, options)?.message;
}
