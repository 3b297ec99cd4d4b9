/**
 * Grey goo: a network whose output hardly changes across the image, so the
 * picture is one flat colour. The write-ups' example is PyTorch's default
 * initialisation (uniform ±1/√fan_in) through 8 tanh layers of 16: each layer
 * keeps about 60 % of the variation it receives, and after 8 layers next to
 * nothing is left.
 *
 * The check runs the float64 forward pass on a small preview of one frame
 * (the picture does not depend on the pixel count, only its sampling does),
 * so it is cheap enough to run before every render. When it fires, it also
 * tries a few changes on an even smaller preview and suggests only those that
 * bring the picture back.
 */
import { ACTIVATIONS, createKernel, FeatureWriter, type Activation, type FrameDescription } from '../core/index.js';
import { sceneFromFile, validateSceneData, type LoadedScene, type SceneFile } from '../scene/index.js';
import { colourScale, networkStats, type NetworkStats } from './layer-stats.js';
import { sampleFrame, sampleSize, type SampleLimits } from './sample-frame.js';

/**
 * Below this standard deviation (on the 0–1 scale of a colour channel, every
 * channel) the output counts as flat. 0.01 is about 2.5 of the 255 steps of an
 * 8-bit channel: nearly every pixel lies within ±5 steps of one colour, which
 * the eye reads as a single flat tone. The write-ups' grey goo measures about
 * 0.0004; every example scene with visible structure 0.08 or more, so the line
 * sits an order of magnitude from each.
 */
export const GREY_GOO_STD = 0.01;

/** A suggested change counts as a fix when it lifts the output's std to at least this. */
export const FIXED_STD = 0.05;

/**
 * The check's preview: at most 64 px on the longer side and about 1.6·10⁷
 * multiply-adds. A standard deviation needs no more: 32×32 and 256×256
 * frames of the example scenes agree to two or three digits.
 */
export const GREY_GOO_LIMITS: SampleLimits = { maxSide: 64, minSide: 16, budget: 1.6e7 };
const FIX_LIMITS: SampleLimits = { maxSide: 32, minSide: 16, budget: 4e6 };

export interface GreyGoo {
  /** Seconds into the scene. */
  at: number;
  /** Per channel, on the 0–1 colour scale, after the scene's contrast. */
  outputStd: number[];
  /** Why the output is flat, in the network's terms. */
  reason: string;
  /** Changes to the scene (as YAML keys) that were checked to bring the picture back. */
  fixes: string[];
  /** The whole warning: what, why, and what to try. */
  message: string;
}

/** Whether every channel's std is below the grey-goo line. */
export function isFlat(outputStd: readonly number[]): boolean {
  return outputStd.every((s) => s < GREY_GOO_STD);
}

function visibleStd(stats: NetworkStats, contrast: number): number[] {
  return stats.outputStd.map((s) => s * Math.abs(contrast));
}

/**
 * Each output channel's std on the 0–1 colour scale (after contrast), from
 * the fast kernel that renders frames. Most scenes are not goo, and for them
 * this is the whole check: a few milliseconds, where the float64 reference
 * pass (needed only to explain goo) would spend a hundred warming up.
 */
function quickOutputStd(frame: FrameDescription): number[] {
  const kernel = createKernel(frame.shape);
  kernel.setWeights(frame.weights);
  kernel.setActivationParams(frame.activations);
  const features = new FeatureWriter(frame.features, frame);
  const toColour = colourScale(ACTIVATIONS[frame.activations[frame.activations.length - 1].name].range);
  const channels = frame.shape.outputCount;
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  const pixels = frame.width * frame.height;
  const block = kernel.blockSize;
  for (let done = 0; done < pixels; done += block) {
    const count = Math.min(block, pixels - done);
    features.write(kernel.inputs, block, done, count);
    kernel.run(count);
    for (let c = 0; c < channels; c++) {
      for (let k = 0; k < count; k++) {
        const v = toColour(kernel.outputs[c * block + k]);
        sum[c] += v;
        sumSq[c] += v * v;
      }
    }
  }
  return Array.from({ length: channels }, (_, c) => {
    const mean = sum[c] / pixels;
    return Math.sqrt(Math.max(0, sumSq[c] / pixels - mean * mean)) * Math.abs(frame.colour.contrast);
  });
}

const fmt = (v: number): string => (v >= 0.1 ? v.toFixed(2) : v >= 0.01 ? v.toFixed(3) : v.toPrecision(1));

function describeInit(scene: SceneFile): string {
  const init = scene.network.init;
  const scale = scene.network.scale !== 1 ? ` × ${scene.network.scale}` : '';
  if (scene.weights !== undefined) return `the weights from ${scene.weights}${scale}`;
  if (init === 'pytorch-default') return `pytorch-default weights (uniform ±1/√fan_in)${scale}`;
  if ('uniform' in init) return `uniform [${init.uniform[0]}, ${init.uniform[1]}] weights${scale}`;
  return `normal(${init.normal.mean}, ${init.normal.std}) weights${scale}`;
}

function describeActivations(activations: readonly Activation[]): string {
  const names = [...new Set(activations.map((a) => a.name))];
  return names.join('/');
}

/** Why the output is flat, read from the layer statistics. */
function explain(loaded: LoadedScene, stats: NetworkStats): string {
  const hidden = stats.layers.filter((l) => l.role === 'hidden');
  const output = stats.layers[stats.layers.length - 1];
  const { scene } = loaded;
  const init = describeInit(scene);
  const layersText = `${hidden.length} ${describeActivations(loaded.model.shape.activations.slice(0, -1))} layer${hidden.length === 1 ? '' : 's'}`;
  const deadLayer = hidden.find((l) => l.dead === 1);
  if (deadLayer) {
    return `every unit of layer ${deadLayer.layer} (${deadLayer.activation}) is dead, flat at every pixel, so nothing of the image reaches the output`;
  }
  if (output.saturated !== undefined && output.saturated > 0.95) {
    return `the output ${output.activation} is saturated at one end at almost every pixel: ${init} push it too far for this network`;
  }
  const first = hidden[0];
  if (first === undefined || first.pixelStd < 0.05) {
    const zoom = scene.view.zoom;
    const where = first === undefined ? 'the output layer' : 'the first layer';
    return `the inputs hardly change across the image for ${where} (view zoom ${zoom}${Math.abs(zoom) < 0.1 ? ': the view covers a tiny region' : ''}; ${init})`;
  }
  const last = hidden[hidden.length - 1];
  if (hidden.length > 1 && last.pixelStd < first.pixelStd / 4) {
    const keep = Math.pow(last.pixelStd / first.pixelStd, 1 / (hidden.length - 1));
    return (
      `the variation across the image fades layer by layer, from ${fmt(first.pixelStd)} in layer 1 to ${fmt(last.pixelStd)} in layer ${last.layer} ` +
      `(each layer keeps about ${Math.round(keep * 100)} %): ${init} are too small for ${layersText}`
    );
  }
  return `the output layer turns the last hidden layer's variation (${fmt(last.pixelStd)} across the image) into almost nothing: ${init} are too small for ${layersText}`;
}

/** A scene with a change applied, or undefined when the change does not fit it. */
function variant(loaded: LoadedScene, change: (network: SceneFile['network']) => SceneFile['network']): LoadedScene | undefined {
  try {
    const scene = validateSceneData({ ...loaded.scene, network: change(loaded.scene.network) });
    return sceneFromFile(scene, loaded.origin, '/', scene.name!, loaded.library);
  } catch {
    return undefined;
  }
}

function brings(loaded: LoadedScene | undefined, at: number): boolean {
  if (!loaded) return false;
  try {
    return quickOutputStd(sampleFrame(loaded, at, sampleSize(loaded.model, FIX_LIMITS))).some((s) => s >= FIXED_STD);
  } catch {
    // A change the scene cannot take (say, fewer layers than its weights file has).
    return false;
  }
}

/** Changes that bring the picture back on a small preview, as YAML keys of the scene. */
function findFixes(loaded: LoadedScene, at: number): string[] {
  const { scene } = loaded;
  const net = scene.network;
  const fixes: string[] = [];
  const init = net.init;
  const normalOne = typeof init === 'object' && 'normal' in init && init.normal.std >= 1;
  if (scene.weights === undefined && !normalOne && brings(variant(loaded, (n) => ({ ...n, init: { normal: { mean: 0, std: 1 } } })), at)) {
    fixes.push('network.init: { normal: { std: 1 } }');
  }
  if (!scene.keyframes.some((k) => k.scale !== undefined)) {
    const scale = [2, 4, 8, 16].map((k) => k * net.scale).find((s) => brings(variant(loaded, (n) => ({ ...n, scale: s })), at));
    if (scale !== undefined) fixes.push(`network.scale: ${scale}`);
  }
  const layers = net.layers;
  if (!Array.isArray(layers) && !Array.isArray(net.activation) && layers.depth > 1) {
    const depths: number[] = [];
    for (let d = Math.floor(layers.depth / 2); d >= 1; d = Math.floor(d / 2)) depths.push(d);
    const depth = depths.find((d) => brings(variant(loaded, (n) => ({ ...n, layers: { depth: d, width: layers.width } })), at));
    if (depth !== undefined) fixes.push(`network.layers: { depth: ${depth}, width: ${layers.width} }`);
  }
  const current = loaded.model.shape.activations.slice(0, -1).map((a) => a.name);
  const alternatives: Array<{ spec: SceneFile['network']['activation']; text: string }> = [
    { spec: 'tanh', text: 'tanh' },
    { spec: { name: 'sin', frequency: 4 }, text: '{ name: sin, frequency: 4 }' },
    { spec: { name: 'cos', frequency: 7.9 }, text: '{ name: cos, frequency: 7.9 }' },
  ];
  const activation = alternatives.find(
    (a) => !(typeof a.spec === 'string' && current.every((c) => c === a.spec)) && current.length > 0 && brings(variant(loaded, (n) => ({ ...n, activation: a.spec })), at),
  );
  if (activation) fixes.push(`network.activation: ${activation.text}`);
  return fixes;
}

/**
 * The grey-goo diagnosis for statistics already measured (as `inspect` does),
 * or undefined when the output is not flat.
 */
export function diagnoseGreyGoo(loaded: LoadedScene, stats: NetworkStats, at = 0, contrast = 1): GreyGoo | undefined {
  const outputStd = visibleStd(stats, contrast);
  if (!isFlat(outputStd)) return undefined;
  const reason = explain(loaded, stats);
  const fixes = findFixes(loaded, at);
  const shown = Math.max(...outputStd);
  const message = [
    `grey goo: the output of ${loaded.scene.name} hardly changes across the image (std ${fmt(shown)} on the 0–1 colour scale; below ${GREY_GOO_STD} a picture reads as one flat colour)`,
    `  why: ${reason}`,
    fixes.length > 0
      ? `  try (each checked on a small preview): ${fixes.join('  ·  ')}`
      : '  try: larger weights (network.init, network.scale), fewer layers, or another seed',
  ].join('\n');
  return { at, outputStd, reason, fixes, message };
}

export interface GreyGooOptions {
  /** Seconds into the scene; with several, it warns only when every one of them is flat. Default 0. */
  at?: number | readonly number[];
}

/** Checks a scene for grey goo on a small preview. */
export function detectGreyGoo(loaded: LoadedScene, options: GreyGooOptions = {}): GreyGoo | undefined {
  const times = typeof options.at === 'number' ? [options.at] : options.at && options.at.length > 0 ? options.at : [0];
  const size = sampleSize(loaded.model, GREY_GOO_LIMITS);
  for (const at of times) {
    if (!isFlat(quickOutputStd(sampleFrame(loaded, at, size)))) return undefined;
  }
  // Flat at every moment: measure the first in float64 to say why.
  const frame = sampleFrame(loaded, times[0], size);
  return diagnoseGreyGoo(loaded, networkStats(frame), times[0], frame.colour.contrast);
}

/** The grey-goo warning for a scene, or undefined when its picture is not flat. */
export function greyGooWarning(loaded: LoadedScene, options: GreyGooOptions = {}): string | undefined {
  return detectGreyGoo(loaded, options)?.message;
}
