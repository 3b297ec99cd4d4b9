/**
 * A validated scene file, turned into the core's terms: the network's shape,
 * its initialisation, the feature and colour settings, and the timeline.
 */
import {
  activation,
  featureCount,
  hexToRgb,
  NAMED_PALETTES,
  type Activation,
  type ColourSettings,
  type FeatureSpec,
  type InitOptions,
  type NetworkShape,
  type WeightInit,
} from '../core/index.js';
import type { ActivationSpec, SceneFile } from './schema.js';
import { buildTimeline, type NetworkRef, type Timeline } from './timeline.js';

export interface SceneModel {
  scene: SceneFile;
  name: string;
  width: number;
  height: number;
  shape: NetworkShape;
  init: InitOptions;
  features: FeatureSpec;
  colour: ColourSettings;
  timeline: Timeline;
  /** The network when no keyframe sets one. */
  baseNetwork: NetworkRef;
}

export function parseSize(size: SceneFile['output']['size']): [number, number] {
  if (typeof size === 'string') {
    const [w, h] = size.split('x').map(Number);
    return [w, h];
  }
  return [size[0], size[1]];
}

export function toActivation(spec: ActivationSpec): Activation {
  if (typeof spec === 'string') return activation(spec);
  const { name, ...options } = spec;
  return activation(name, Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)));
}

export function hiddenWidths(scene: SceneFile): number[] {
  const layers = scene.network.layers;
  return Array.isArray(layers) ? [...layers] : Array.from({ length: layers.depth }, () => layers.width);
}

function toInit(init: SceneFile['network']['init']): WeightInit {
  if (init === 'pytorch-default') return { kind: 'pytorch-default' };
  if ('uniform' in init) return { kind: 'uniform', low: init.uniform[0], high: init.uniform[1] };
  return { kind: 'normal', mean: init.normal.mean, std: init.normal.std };
}

function toColour(scene: SceneFile): ColourSettings {
  const c = scene.colour;
  const paletteHex = c.palette === undefined ? NAMED_PALETTES.ink : typeof c.palette === 'string' ? NAMED_PALETTES[c.palette] : c.palette;
  const mode = scene.network.output.channels === 3 ? 'rgb' : c.mode === 'rgb' || c.mode === undefined ? (c.palette !== undefined ? 'palette' : 'grey') : c.mode;
  return {
    mode,
    palette: { stops: paletteHex.map(hexToRgb), cyclic: c.cyclic },
    paletteOffset: c.paletteOffset,
    hue: c.hue,
    saturation: c.saturation,
    brightness: c.brightness,
    contrast: c.contrast,
    invert: c.invert,
  };
}

/** Weights file names in the scene must already be absolute (see sceneFromFile). */
export function buildModel(scene: SceneFile, fallbackName: string): SceneModel {
  const [width, height] = parseSize(scene.output.size);
  const hidden = hiddenWidths(scene);
  const spec = scene.network.activation;
  const hiddenActivations = Array.isArray(spec) ? spec.map(toActivation) : hidden.map(() => toActivation(spec));
  const features: FeatureSpec = {
    inputs: scene.network.inputs,
    timeMode: scene.network.time.mode,
    timeScale: scene.network.time.scale,
    latentSize: scene.network.latent,
  };
  return {
    scene,
    name: scene.name ?? fallbackName,
    width,
    height,
    shape: {
      inputCount: featureCount(features),
      hidden,
      outputCount: scene.network.output.channels,
      activations: [...hiddenActivations, toActivation(scene.network.output.activation)],
    },
    init: { init: toInit(scene.network.init), bias: scene.network.bias },
    features,
    colour: toColour(scene),
    timeline: buildTimeline(scene),
    baseNetwork: {
      ...(scene.weights !== undefined ? { kind: 'file', path: scene.weights } : { kind: 'seed', seed: scene.seed }),
      ...(scene.nudge ? { nudge: scene.nudge } : {}),
    } as NetworkRef,
  };
}
