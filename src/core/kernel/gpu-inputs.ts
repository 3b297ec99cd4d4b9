/**
 * A frame's GPU inputs, described once: which numbers a shader reads each
 * frame, in which vec4 of which buffer. The GLSL generator (the preview page,
 * WebGL2), the WGSL generator (final renders, WebGPU) and the code that fills
 * their buffers all read this table, so a new input, or one more activation
 * parameter, is added in one place.
 *
 * Three buffers, all of vec4s (the unit both shading languages align to):
 * - the frame block: view, centre, colour matrix and adjustments, the time
 *   and latent constants, every layer's activation parameters, and the
 *   region of the picture a dispatch covers;
 * - the weights, laid out so that one vec4 holds the weights from one input
 *   to four neighbouring outputs (a layer is bias + Σ input · column, four
 *   outputs per step, summed in the order the CPU kernels sum);
 * - the palette's lookup table.
 *
 * Pure: no GPU API here, only numbers and their places.
 */
import { ACTIVATION_PARAMS, type Activation, type ActivationParam } from '../activations.js';
import { colourMatrix, LUT_SIZE, paletteLut, type ColourSettings } from '../colour.js';
import { featureCount, frameConstants, viewTransform, type FeatureSpec } from '../features.js';
import type { FrameDescription } from '../frame.js';
import { layerSizes, type NetworkShape, type NetworkWeights } from '../network.js';
import { ROUNDING_MAGIC } from './vector-program.js';

/** vec4s that hold `count` floats. */
export function vectorsFor(count: number): number {
  return Math.ceil(count / 4);
}

/**
 * The entries of the frame block, in order, with how many vec4s each takes.
 * `params` is per layer: as many vec4s as the activation parameters need (a
 * fifth parameter takes a second vec4, never the next layer's first).
 */
export const FRAME_INPUTS = [
  { name: 'canvas', about: 'width, height, the rounding constant, samples per pixel side' },
  { name: 'view', about: 'cos θ, sin θ, zoom per pixel' },
  { name: 'center', about: 'the view centre x, y' },
  { name: 'region', about: 'first column, first row, columns, rows of the pixels one dispatch writes' },
  { name: 'colour', about: 'hue and saturation as a 3×3 matrix, one row per vec4', vectors: 3 },
  { name: 'adjust', about: 'contrast, brightness, invert (0 or 1), adjusted at all (0 or 1)' },
  { name: 'constants', about: 'the inputs that are the same at every pixel (time, latent), in input order' },
  { name: 'params', about: "each layer's activation parameters" },
] as const;

export type FrameInputName = (typeof FRAME_INPUTS)[number]['name'];

export interface GpuFrameLayout {
  /** Where each entry starts, in vec4s from the block's start. */
  offset: Record<FrameInputName, number>;
  /** vec4s in the whole block. */
  vectors: number;
  /** Floats of `constants` (time and latent values). */
  constantCount: number;
  /** vec4s per layer in `params`. */
  paramVectors: number;
  /** The activation parameters, in the order they are packed (ACTIVATION_PARAMS). */
  paramNames: readonly ActivationParam[];
}

/**
 * The frame block's layout for a network shape and its inputs. `paramNames`
 * is the list of activation parameters (the catalogue's, unless a test asks
 * for more).
 */
export function gpuFrameLayout(shape: NetworkShape, features: FeatureSpec, paramNames: readonly ActivationParam[] = ACTIVATION_PARAMS): GpuFrameLayout {
  const constantCount = featureCount(features) - features.inputs.filter((name) => name === 'x' || name === 'y' || name === 'r').length;
  const paramVectors = vectorsFor(paramNames.length);
  const sizes: Record<FrameInputName, number> = {
    canvas: 1,
    view: 1,
    center: 1,
    region: 1,
    colour: 3,
    adjust: 1,
    constants: Math.max(1, vectorsFor(constantCount)),
    params: shape.activations.length * paramVectors,
  };
  const offset = {} as Record<FrameInputName, number>;
  let at = 0;
  for (const input of FRAME_INPUTS) {
    offset[input.name] = at;
    at += sizes[input.name];
  }
  return { offset, vectors: at, constantCount, paramVectors, paramNames };
}

/** The part of a frame one dispatch writes: columns [x, x + width), rows [y, y + height). */
/**
 * The network's inputs as shader expressions, in the scene's order: per-pixel
 * x, y and r (from variables named x and y), then the frame's constants (the
 * time's one or two inputs, the latent vector), which live in the frame block
 * from its `constants` vector on; `vector(i)` names the block's i-th vec4.
 * One list for every shader generator, so GLSL and WGSL feed the network alike.
 */
export function gpuInputExpressions(features: FeatureSpec, layout: GpuFrameLayout, vector: (index: number) => string): string[] {
  const first = layout.offset.constants;
  const inputs: string[] = [];
  let constant = 0;
  for (const name of features.inputs) {
    if (name === 'x') inputs.push('x');
    else if (name === 'y') inputs.push('y');
    else if (name === 'r') inputs.push('sqrt(x * x + y * y)');
    else {
      const count = name === 't' ? (features.timeMode === 'circle' ? 2 : 1) : features.latentSize;
      for (let k = 0; k < count; k++, constant++) inputs.push(`${vector(first + (constant >> 2))}.${'xyzw'[constant & 3]}`);
    }
  }
  return inputs;
}

export interface PixelRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The values of the frame block for `frame` (and the region a dispatch covers: the whole frame by default). */
export function writeFrameInputs(layout: GpuFrameLayout, frame: FrameDescription, out: Float32Array<ArrayBuffer> = new Float32Array(layout.vectors * 4), region?: PixelRegion): Float32Array<ArrayBuffer> {
  out.fill(0);
  const at = (name: FrameInputName): number => layout.offset[name] * 4;
  const view = viewTransform(frame);
  out.set([frame.width, frame.height, ROUNDING_MAGIC, frame.antialias ?? 1], at('canvas'));
  out.set([view.cos, view.sin, view.scale], at('view'));
  out.set([frame.view.center[0], frame.view.center[1]], at('center'));
  const r = region ?? { x: 0, y: 0, width: frame.width, height: frame.height };
  out.set([r.x, r.y, r.width, r.height], at('region'));
  const matrix = colourMatrix(frame.colour.hue, frame.colour.saturation);
  for (let row = 0; row < 3; row++) out.set(matrix.slice(row * 3, row * 3 + 3), at('colour') + row * 4);
  out.set(adjustments(frame.colour), at('adjust'));
  out.set(frameConstants(frame.features, frame), at('constants'));
  writeActivationParams(layout, frame.activations, out);
  return out;
}

/** contrast, brightness, invert, and whether any of them changes a colour (the CPU skips the arithmetic when none does). */
function adjustments(colour: ColourSettings): number[] {
  const adjusted = colour.brightness !== 1 || colour.contrast !== 1 || colour.invert;
  return [colour.contrast, colour.brightness, colour.invert ? 1 : 0, adjusted ? 1 : 0];
}

/** Each layer's activation parameters, `paramVectors` vec4s per layer. */
export function writeActivationParams(layout: GpuFrameLayout, activations: readonly Activation[], out: Float32Array): void {
  const start = layout.offset.params * 4;
  activations.forEach((a, layer) => {
    const base = start + layer * layout.paramVectors * 4;
    layout.paramNames.forEach((name, j) => (out[base + j] = a[name]));
  });
}

/** Where a parameter is read: the vec4 (counted from the layer's first) and its lane. */
export function paramPlace(index: number): { vector: number; lane: number } {
  return { vector: index >> 2, lane: index & 3 };
}

/** Where one layer's weights sit, in vec4s. */
export interface GpuLayerLayout {
  inputs: number;
  outputs: number;
  /** Groups of four outputs (the last padded with zeros). */
  groups: number;
  /**
   * Group g's bias is the vec4 at `offset + g · (inputs + 1)`; its weights
   * from input i to its four outputs follow at `offset + g · (inputs + 1) + 1 + i`.
   */
  offset: number;
}

export interface GpuWeightsLayout {
  layers: GpuLayerLayout[];
  /** vec4s in all. */
  vectors: number;
}

export function gpuWeightsLayout(shape: NetworkShape): GpuWeightsLayout {
  let at = 0;
  const layers = layerSizes(shape).map(([inputs, outputs]) => {
    const groups = vectorsFor(outputs);
    const layer = { inputs, outputs, groups, offset: at };
    at += groups * (inputs + 1);
    return layer;
  });
  return { layers, vectors: at };
}

/**
 * Whether a layer's code is unrolled whole (straight-line, its values in
 * registers) or looped over its groups of four outputs. Unrolled is fastest
 * on a GPU, but a wide layer's straight-line code (128 inputs × 16 groups)
 * is more than some shader compilers survive: SwiftShader's crashed on it.
 */
export const UNROLL_LIMIT = 512;
export function unrollLayer(layer: GpuLayerLayout): boolean {
  return layer.groups * layer.inputs <= UNROLL_LIMIT;
}

/** Index (in vec4s) of group g's bias, and of its column for input i. */
export function biasVector(layer: GpuLayerLayout, group: number): number {
  return layer.offset + group * (layer.inputs + 1);
}
export function columnVector(layer: GpuLayerLayout, group: number, input: number): number {
  return biasVector(layer, group) + 1 + input;
}

/**
 * The weights in that layout; `vectors` pads the buffer to a size (a texture's
 * whole rows). Padding lanes stay zero, so padded outputs are bias 0, weights 0.
 */
export function packGpuWeights(shape: NetworkShape, weights: NetworkWeights, out?: Float32Array<ArrayBuffer>, vectors = gpuWeightsLayout(shape).vectors): Float32Array<ArrayBuffer> {
  const layout = gpuWeightsLayout(shape);
  const size = vectors * 4;
  const packed = out && out.length === size ? out : new Float32Array(size);
  packed.fill(0);
  layout.layers.forEach((l, i) => {
    const { weight, bias } = weights.layers[i];
    for (let o = 0; o < l.outputs; o++) {
      const group = o >> 2;
      const lane = o & 3;
      packed[biasVector(l, group) * 4 + lane] = bias[o];
      const row = o * l.inputs;
      for (let k = 0; k < l.inputs; k++) packed[columnVector(l, group, k) * 4 + lane] = weight[row + k];
    }
  });
  return packed;
}

/** Entries of the palette table; the shaders' palette lookup is round(clamp(v, 0, 1) · (entries − 1)), as on the CPU. */
export const PALETTE_ENTRIES = LUT_SIZE;

/** The palette (with this frame's offset) as PALETTE_ENTRIES vec4s (r, g, b, 1). */
export function packPalette(colour: ColourSettings, out: Float32Array<ArrayBuffer> = new Float32Array(PALETTE_ENTRIES * 4)): Float32Array<ArrayBuffer> {
  const lut = paletteLut(colour.palette, colour.paletteOffset);
  for (let i = 0; i < PALETTE_ENTRIES; i++) {
    out[i * 4] = lut[i * 3];
    out[i * 4 + 1] = lut[i * 3 + 1];
    out[i * 4 + 2] = lut[i * 3 + 2];
    out[i * 4 + 3] = 1;
  }
  return out;
}

/** What decides whether the palette table must be sent again. */
export function paletteKey(colour: ColourSettings): string {
  return JSON.stringify([colour.palette, colour.paletteOffset]);
}

/**
 * What the generated code depends on (the network's shape, its activations'
 * code, the inputs and the colour mode), so a compiled program is reused for
 * every frame of a trajectory through weight space.
 */
export function gpuProgramKey(shape: NetworkShape, features: FeatureSpec, colourMode: ColourSettings['mode']): string {
  return JSON.stringify([shape.inputCount, shape.hidden, shape.outputCount, shape.activations.map((a) => [a.name, a.squash, a.iterations]), features, colourMode]);
}
