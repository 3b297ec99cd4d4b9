/**
 * `inspect`: one frame of a scene, measured layer by layer, with the
 * grey-goo diagnosis drawn from the same measurements, and the static check
 * (detail finer than the pixels) at the scene's own size.
 */
import { stillTime } from '../render/still.js';
import type { LoadedScene } from '../scene/index.js';
import { diagnoseGreyGoo, type GreyGoo } from './grey-goo.js';
import { networkStats, type NetworkStats } from './layer-stats.js';
import { detectNoise, NOISE_LINE, type Noise } from './noise.js';
import { INSPECT_LIMITS, sampleFrame, sampleSize, type SampleLimits } from './sample-frame.js';

export interface SceneInspection {
  scene: string;
  /** Seconds into the scene, as asked. */
  at: number;
  /** The scene's own frame size. */
  sceneSize: [number, number];
  stats: NetworkStats;
  greyGoo?: GreyGoo;
  /** Set when the picture has detail finer than its pixels (at the scene's own size). */
  noise?: Noise;
}

export interface InspectOptions {
  /** Seconds into the scene (default 0). */
  at?: number;
  /** Longest side the statistics are computed at (default 256; never more than the scene's own). */
  maxSide?: number;
}

export function inspectScene(loaded: LoadedScene, options: InspectOptions = {}): SceneInspection {
  // A loop repeats: report the moment actually shown (100 s into an 8 s loop is 4 s).
  const at = stillTime(loaded, options.at ?? 0);
  const limits: SampleLimits = options.maxSide !== undefined ? { ...INSPECT_LIMITS, maxSide: options.maxSide, minSide: Math.min(INSPECT_LIMITS.minSide, options.maxSide), budget: Infinity } : INSPECT_LIMITS;
  const frame = sampleFrame(loaded, at, sampleSize(loaded.model, limits));
  const stats = networkStats(frame);
  return {
    scene: loaded.scene.name ?? loaded.origin,
    at,
    sceneSize: [loaded.model.width, loaded.model.height],
    stats,
    greyGoo: diagnoseGreyGoo(loaded, stats, at, frame.colour.contrast),
    noise: detectNoise(loaded, { at }),
  };
}

const pad = (text: string, width: number, left = false): string => (left ? text.padEnd(width) : text.padStart(width));

function number(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 0.001) return v.toFixed(3);
  return v.toExponential(1);
}

function share(v: number | undefined): string {
  return v === undefined ? '–' : `${(v * 100).toFixed(1)} %`;
}

/** The inspection as a plain-text table, for the terminal. */
export function formatInspection(inspection: SceneInspection): string {
  const { stats } = inspection;
  const [w, h] = inspection.sceneSize;
  const lines: string[] = [];
  const sampled = stats.width === w && stats.height === h ? `at ${w}x${h}` : `at ${stats.width}x${stats.height} (the scene renders at ${w}x${h}; statistics hardly depend on the pixel count)`;
  lines.push(`${inspection.scene} at ${inspection.at} s, computed in float64 ${sampled}`);
  lines.push('');
  const header = [pad('layer', 12, true), pad('activation', 11, true), pad('units', 5), pad('mean', 9), pad('std', 9), pad('pixel std', 10), pad('saturated', 10), pad('dead', 8)];
  lines.push(header.join('  '));
  for (const layer of stats.layers) {
    lines.push(
      [
        pad(layer.role === 'output' ? `${layer.layer} (output)` : String(layer.layer), 12, true),
        pad(layer.activation, 11, true),
        pad(String(layer.units), 5),
        pad(number(layer.mean), 9),
        pad(number(layer.std), 9),
        pad(number(layer.pixelStd), 10),
        pad(share(layer.saturated), 10),
        pad(share(layer.dead), 8),
      ].join('  '),
    );
  }
  lines.push('');
  const channels = stats.outputStd.length === 3 ? ['R', 'G', 'B'] : ['value'];
  lines.push(`output std per channel (0–1 colour scale): ${stats.outputStd.map((s, c) => `${channels[c]} ${number(s)}`).join('   ')}`);
  lines.push('');
  lines.push('pixel std: how much a unit changes across the image (root-mean-square over the layer\'s units)');
  lines.push('saturated: share of values with |a| > 0.99 (tanh-like) or outside [0.01, 0.99] (sigmoid-like)');
  lines.push('dead: share of relu-like units that are flat over the whole image (for relu: zero everywhere)');
  return lines.join('\n');
}

/** The inspection as plain data, for --json. */
export function inspectionJson(inspection: SceneInspection): Record<string, unknown> {
  const { stats } = inspection;
  return {
    scene: inspection.scene,
    at: inspection.at,
    sceneSize: { width: inspection.sceneSize[0], height: inspection.sceneSize[1] },
    sampledSize: { width: stats.width, height: stats.height },
    layers: stats.layers.map((l) => ({
      layer: l.layer,
      role: l.role,
      activation: l.activation,
      family: l.family,
      units: l.units,
      mean: l.mean,
      std: l.std,
      pixelStd: l.pixelStd,
      saturated: l.saturated ?? null,
      dead: l.dead ?? null,
    })),
    outputStd: stats.outputStd,
    greyGoo: inspection.greyGoo ? { reason: inspection.greyGoo.reason, fixes: inspection.greyGoo.fixes, message: inspection.greyGoo.message } : null,
    static: inspection.noise ? { median: inspection.noise.median, line: NOISE_LINE, reason: inspection.noise.reason, fixes: inspection.noise.fixes, message: inspection.noise.message } : null,
  };
}
