/**
 * The animatable parameters: one entry each, read by the keyframe schema, the
 * timeline, the loop check, the frame builder, the series grid and the
 * "this key does nothing here" check. A new animatable parameter is one entry
 * here plus the code that consumes its value (see frames.ts).
 */
import { ACTIVATIONS, type ActivationName, type ActivationParam } from '../core/index.js';

/**
 * How a parameter travels between keyframes: `network` blends whole
 * networks (seed or weights file), `number` and `vector` interpolate
 * component by component with the segment's easing.
 */
export type ParameterKind = 'network' | 'number' | 'vector';

/** Only the parts of a validated scene a parameter entry reads (kept structural to avoid a cycle with schema.ts). */
export interface SceneView {
  network: {
    inputs: readonly string[];
    latent: number;
    time: { mode: string };
    activation: ActivationSpecLike | readonly ActivationSpecLike[];
    output: { channels: number; activation: ActivationSpecLike };
  };
  colour: { mode?: string; palette?: unknown };
}

type ActivationSpecLike = string | { name: string; squash?: string };

/**
 * What a keyframe key holds: schema.ts gives each its zod type. The registry
 * names the type rather than holding the zod schema so that the modules a
 * render worker loads (frames, timeline) do not load zod, which is slow to
 * load and would delay every thread's start.
 */
export type ParameterValue = 'int' | 'number' | 'string' | 'pair' | 'numbers';

export interface SliderRange {
  min: number;
  max: number;
  log?: boolean;
}

export interface ParameterEntry {
  name: string;
  kind: ParameterKind;
  /** The keyframe key's value (schema.ts makes it optional). */
  value: ParameterValue;
  /** What it does, for the keyframe key's documentation. */
  description?: string;
  /** Where the value lives in the scene when no keyframe sets it (for documentation and the series grid). */
  home?: readonly string[];
  /** The value at which the picture repeats (rotation 360°, a palette cycle), for the loop check. */
  period?: (scene: SceneView) => number | undefined;
  /** The activation parameter it sets on every layer that has one. */
  activationParam?: ActivationParam;
  /** Whether a series grid (`--set`, `series.grid`) may hold it at each value. */
  grid: boolean;
  /**
   * The range a slider offers (the preview's explore panel), per component
   * for vectors; `log` for parameters that act by ratio (zoom). A value
   * outside it is still shown: the slider widens to hold it.
   */
  slider?: SliderRange;
  /**
   * Why moving it changes nothing in this scene (e.g. "no layer uses a
   * frequency"), or undefined when it does change the picture.
   */
  inert?: (scene: SceneView) => string | undefined;
}

function activationNames(scene: SceneView): Array<{ name: string; squash?: string }> {
  const hidden = scene.network.activation;
  const specs = [...(Array.isArray(hidden) ? hidden : [hidden]), scene.network.output.activation] as ActivationSpecLike[];
  return specs.map((spec) => (typeof spec === 'string' ? { name: spec } : spec));
}

/** Whether any layer's activation reads `param` (logistic reads frequency only with its cos squash). */
function usesActivationParam(scene: SceneView, param: ActivationParam): boolean {
  return activationNames(scene).some(({ name, squash }) => {
    const params = ACTIVATIONS[name as ActivationName]?.params ?? [];
    if (!(params as readonly string[]).includes(param)) return false;
    return !(name === 'logistic' && param === 'frequency' && squash !== 'cos');
  });
}

function layersUsing(param: ActivationParam, what: string): (scene: SceneView) => string | undefined {
  return (scene) => (usesActivationParam(scene, param) ? undefined : `no layer of this network uses ${what}`);
}

function isRgb(scene: SceneView): boolean {
  return scene.network.output.channels === 3;
}

function usesPalette(scene: SceneView): boolean {
  if (isRgb(scene)) return false;
  const mode = scene.colour.mode;
  return mode === 'palette' || ((mode === undefined || mode === 'rgb') && scene.colour.palette !== undefined);
}

export const PARAMETERS = [
  { name: 'seed', kind: 'network', value: 'int', description: 'The network at this keyframe: a random network from this seed.', home: ['seed'], grid: false },
  {
    name: 'weights',
    kind: 'network',
    value: 'string',
    description: 'The network at this keyframe: a weights file (JSON, PyTorch nn.Linear layout).',
    home: ['weights'],
    grid: false,
  },
  { name: 'scale', kind: 'number', value: 'number', description: 'Weight scale.', home: ['network', 'scale'], grid: true, slider: { min: 0, max: 4 } },
  { name: 'zoom', kind: 'number', value: 'number', home: ['view', 'zoom'], grid: true, slider: { min: 0.01, max: 10, log: true } },
  { name: 'center', kind: 'vector', value: 'pair', home: ['view', 'center'], grid: false, slider: { min: -2, max: 2 } },
  { name: 'rotation', kind: 'number', value: 'number', home: ['view', 'rotation'], period: () => 360, grid: true, slider: { min: -180, max: 180 } },
  {
    name: 'frequency',
    kind: 'number',
    activationParam: 'frequency',
    value: 'number',
    description: 'Frequency of every cos/sin layer (and logistic cos squash).',
    grid: true,
    slider: { min: 0, max: 20 },
    inert: layersUsing('frequency', 'a frequency (only sin, cos and logistic with squash: cos do)'),
  },
  {
    name: 'slope',
    kind: 'number',
    activationParam: 'slope',
    value: 'number',
    description: 'Slope of every leaky-relu layer.',
    grid: true,
    slider: { min: 0, max: 1 },
    inert: layersUsing('slope', 'a slope (only leaky-relu does)'),
  },
  {
    name: 'alpha',
    kind: 'number',
    activationParam: 'alpha',
    value: 'number',
    description: 'α of every elu/celu layer, β of every swish layer.',
    grid: true,
    slider: { min: 0, max: 3 },
    inert: layersUsing('alpha', 'alpha (only elu, celu and swish do)'),
  },
  {
    name: 'logisticR',
    kind: 'number',
    activationParam: 'r',
    value: 'number',
    description: 'R of every logistic-map layer.',
    grid: true,
    slider: { min: 2.5, max: 4 },
    inert: layersUsing('r', 'the logistic R (only logistic layers do)'),
  },
  {
    name: 't',
    kind: 'number',
    value: 'number',
    description: 'The time input t (default: runs 0 → 1 over the video).',
    period: (scene) => (scene.network.time.mode === 'circle' ? 1 : undefined),
    grid: false,
    slider: { min: 0, max: 1 },
    inert: (scene) => (scene.network.inputs.includes('t') ? undefined : 'the network has no time input (add t to network.inputs)'),
  },
  {
    name: 'z',
    kind: 'vector',
    value: 'numbers',
    description: 'The latent vector.',
    home: ['z'],
    grid: false,
    slider: { min: -3, max: 3 },
    inert: (scene) => (scene.network.inputs.includes('z') ? undefined : 'the network has no latent input (add z to network.inputs and set network.latent)'),
  },
  { name: 'hue', kind: 'number', value: 'number', home: ['colour', 'hue'], period: () => 360, grid: true, slider: { min: -180, max: 180 }, inert: (s) => (isRgb(s) || usesPalette(s) ? undefined : 'a grey picture has no hue (use 3 output channels or a palette)') },
  { name: 'saturation', kind: 'number', value: 'number', home: ['colour', 'saturation'], grid: true, slider: { min: 0, max: 2 }, inert: (s) => (isRgb(s) || usesPalette(s) ? undefined : 'a grey picture has no saturation (use 3 output channels or a palette)') },
  { name: 'brightness', kind: 'number', value: 'number', home: ['colour', 'brightness'], grid: true, slider: { min: 0, max: 2 } },
  { name: 'contrast', kind: 'number', value: 'number', home: ['colour', 'contrast'], grid: true, slider: { min: 0, max: 3 } },
  {
    name: 'paletteOffset',
    kind: 'number',
    value: 'number',
    home: ['colour', 'paletteOffset'],
    period: () => 1,
    grid: true,
    slider: { min: 0, max: 1 },
    inert: (s) => (usesPalette(s) ? undefined : 'the picture uses no palette (set colour.palette with 1 output channel)'),
  },
] as const satisfies readonly ParameterEntry[];

export type AnimatableName = (typeof PARAMETERS)[number]['name'];

/** Every animatable name, in the registry's order. */
export const ANIMATABLE = PARAMETERS.map((p) => p.name) as readonly AnimatableName[];

type GridEntry = Extract<(typeof PARAMETERS)[number], { grid: true }>;
export type GridParameter = GridEntry['name'];

/** Parameters a series grid can vary: those whose entry allows it. */
export const GRID_PARAMETERS = PARAMETERS.filter((p): p is GridEntry => p.grid).map((p) => p.name) as readonly GridParameter[];

/** Parameters that interpolate as numbers or vectors (everything but the network itself). */
export type ValueParameter = Extract<(typeof PARAMETERS)[number], { kind: 'number' | 'vector' }>['name'];
export type NumberParameter = Extract<(typeof PARAMETERS)[number], { kind: 'number' }>['name'];
export type VectorParameter = Extract<(typeof PARAMETERS)[number], { kind: 'vector' }>['name'];

export const VALUE_PARAMETERS = PARAMETERS.filter((p) => p.kind !== 'network').map((p) => p.name) as readonly ValueParameter[];

/** The value the scene gives `name` when no keyframe sets it (undefined when it has no home, e.g. frequency). */
export function homeValue(scene: object, name: AnimatableName): unknown {
  const home = parameter(name).home;
  return home?.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], scene);
}

export function parameter(name: AnimatableName): ParameterEntry {
  return PARAMETERS.find((p) => p.name === name)!;
}

/** Why `name` does nothing in this scene, or undefined when it changes the picture. */
export function inertReason(name: AnimatableName, scene: SceneView): string | undefined {
  return parameter(name).inert?.(scene);
}
