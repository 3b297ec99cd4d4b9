/**
 * The mutation operators explore breeds with: one entry each, saying what it
 * changes and how the strength (0 to 1) maps to the size of the change. An
 * operator takes a validated scene and returns another plain scene (nothing
 * hidden: `still` renders it as the page shows it), or undefined when it has
 * nothing to change. A new operator is one more entry in MUTATIONS.
 */
import { INPUT_NAMES, NAMED_PALETTES, type InputName, type SeededRandom } from '../../core/index.js';
import { LIMITS } from '../frame-size.js';
import { NUDGE_LIMITS } from '../nudge.js';
import { usesSeeds } from '../overrides.js';
import type { ActivationSpec, SceneFile } from '../schema.js';

export interface MutationContext {
  random: SeededRandom;
  /** 0 (the least change that still shows) to 1 (a bold one). */
  strength: number;
}

export interface Mutation {
  scene: SceneFile;
  /** What changed, in a few words ("seed 7 → 10"). */
  label: string;
}

export interface MutationOperator {
  name: string;
  /** What it changes, in a few words. */
  changes: string;
  /** How the strength maps to the change. */
  strength: string;
  /** Why it cannot change this scene, or undefined when it can. */
  unavailable?: (scene: SceneFile) => string | undefined;
  mutate: (scene: SceneFile, context: MutationContext) => Mutation | undefined;
}

/** Activations that give pictures worth a look from random weights (the rest mostly repeat these). */
const PICTURE_ACTIVATIONS = ['tanh', 'sin', 'cos', 'gaussian', 'sigmoid', 'softplus', 'swish', 'elu', 'relu', 'identity'] as const;
/** For every layer at once: those that keep structure through a deep stack (identity, relu or sigmoid everywhere mostly flattens it). */
const WHOLE_NETWORK_ACTIVATIONS = ['tanh', 'sin', 'cos', 'gaussian', 'softplus', 'swish', 'elu'] as const;

/** Four significant digits: what a person would type, and what survives YAML unchanged. */
export function tidy(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 10)));
}

const pick = <T>(random: SeededRandom, items: readonly T[]): T => items[Math.floor(random.uniform() * items.length)];
const sign = (random: SeededRandom): number => (random.uniform() < 0.5 ? -1 : 1);

const fromWeightsFile = (scene: SceneFile): string | undefined =>
  scene.weights !== undefined || scene.keyframes.some((k) => k.weights !== undefined) ? 'the network comes from a weights file, whose layers are fixed' : undefined;

function hiddenCount(scene: SceneFile): number {
  const layers = scene.network.layers;
  return Array.isArray(layers) ? layers.length : layers.depth;
}

function activationName(spec: ActivationSpec): string {
  return typeof spec === 'string' ? spec : spec.name;
}

/** Keyframes that set the network (seed or weights). */
const networkKeyframes = (scene: SceneFile): boolean => scene.keyframes.some((k) => k.seed !== undefined || k.weights !== undefined);

function usesPalette(scene: SceneFile): boolean {
  if (scene.network.output.channels === 3) return false;
  return scene.colour.mode === 'palette' || (scene.colour.mode !== 'grey' && scene.colour.palette !== undefined);
}

const seedShift: MutationOperator = {
  name: 'seed',
  changes: 'neighbouring seeds: every seed of the scene moves by the same step',
  strength: 'the step is 1 to 1 + 20 × strength, either way',
  unavailable: (scene) => (usesSeeds(scene) ? undefined : 'the networks come from weights files, not seeds'),
  mutate(scene, { random, strength }) {
    const most = Math.max(1, Math.round(1 + 20 * strength));
    const step = sign(random) * (1 + Math.floor(random.uniform() * most));
    // Only the seeds in use move: the scene's own seed stands unused beside keyframed networks or an orbit.
    const several = networkKeyframes(scene) || scene.orbit !== undefined;
    const changed: SceneFile = {
      ...scene,
      seed: several ? scene.seed : scene.seed + step,
      orbit: scene.orbit && { ...scene.orbit, seeds: [scene.orbit.seeds[0] + step, scene.orbit.seeds[1] + step] },
      keyframes: scene.keyframes.map((k) => (k.seed !== undefined ? { ...k, seed: k.seed + step } : k)),
    };
    return { scene: changed, label: several ? `seeds ${step > 0 ? '+' : '−'}${Math.abs(step)}` : `seed ${scene.seed} → ${scene.seed + step}` };
  },
};

const nudge: MutationOperator = {
  name: 'nudge',
  changes: 'a step through weight space toward the network of a new seed (written as nudge:)',
  strength: 'the step is 0.5 × strength to strength of the way there (1 would be the new network)',
  unavailable: (scene) => {
    const lists = [scene.nudge, ...scene.keyframes.map((k) => k.nudge)];
    return lists.some((l) => (l?.length ?? 0) >= NUDGE_LIMITS.entries) ? `the scene holds ${NUDGE_LIMITS.entries} nudges already` : undefined;
  },
  mutate(scene, { random, strength }) {
    const target = 1 + Math.floor(random.uniform() * 99_999);
    const amount = tidy(Math.min(1, Math.max(0.01, strength * random.between(0.5, 1))));
    const step = { seed: target, amount };
    // Every network the scene shows moves the same way, so its motion keeps its shape.
    const keyframed = networkKeyframes(scene);
    const changed: SceneFile = {
      ...scene,
      nudge: keyframed && !scene.orbit ? scene.nudge : [...(scene.nudge ?? []), step],
      keyframes: scene.keyframes.map((k) => (k.seed !== undefined || k.weights !== undefined ? { ...k, nudge: [...(k.nudge ?? []), step] } : k)),
    };
    return { scene: changed, label: `nudge ${amount} toward seed ${target}` };
  },
};

const activationSwap: MutationOperator = {
  name: 'activation',
  changes: 'another activation for one hidden layer, or for all of them',
  strength: 'the chance that every layer changes rather than one is 0.2 + 0.6 × strength',
  unavailable: (scene) => (hiddenCount(scene) === 0 ? 'the network has no hidden layers' : undefined),
  mutate(scene, { random, strength }) {
    const count = hiddenCount(scene);
    const current = scene.network.activation;
    const list = Array.isArray(current) ? [...current] : Array.from({ length: count }, () => current);
    if (random.uniform() < 0.2 + 0.6 * strength) {
      const names = new Set(list.map(activationName));
      // A deep stack of sines folds the picture into noise; a few layers of them make the waves worth seeing.
      const choices = WHOLE_NETWORK_ACTIVATIONS.filter((a) => !(names.size === 1 && names.has(a)) && (count <= 3 || (a !== 'sin' && a !== 'cos')));
      const choice = pick(random, choices);
      return { scene: { ...scene, network: { ...scene.network, activation: choice } }, label: `all layers ${choice}` };
    }
    const layer = Math.floor(random.uniform() * count);
    const was = activationName(list[layer]);
    const choice = pick(random, PICTURE_ACTIVATIONS.filter((a) => a !== was));
    list[layer] = choice;
    return { scene: { ...scene, network: { ...scene.network, activation: list } }, label: `layer ${layer + 1}: ${was} → ${choice}` };
  },
};

const depthChange: MutationOperator = {
  name: 'depth',
  changes: 'one hidden layer more or fewer',
  strength: 'one layer below strength 0.6, else up to three',
  unavailable: fromWeightsFile,
  mutate(scene, { random, strength }) {
    const count = hiddenCount(scene);
    const step = strength < 0.6 ? 1 : 1 + Math.floor(random.uniform() * 3);
    const more = count === 0 || (count < LIMITS.layers && random.uniform() < 0.5);
    const target = Math.min(LIMITS.layers, Math.max(0, count + (more ? step : -step)));
    if (target === count) return undefined;
    const { layers, activation } = scene.network;
    let nextLayers: SceneFile['network']['layers'];
    let nextActivation = activation;
    if (Array.isArray(layers)) {
      const widths = [...layers];
      const acts = Array.isArray(activation) ? [...activation] : undefined;
      while (widths.length < target) {
        const at = Math.floor(random.uniform() * (widths.length + 1));
        const like = Math.min(at, widths.length - 1);
        widths.splice(at, 0, widths[like] ?? 16);
        acts?.splice(at, 0, acts[like] ?? 'tanh');
      }
      while (widths.length > target) {
        const at = Math.floor(random.uniform() * widths.length);
        widths.splice(at, 1);
        acts?.splice(at, 1);
      }
      nextLayers = widths;
      if (acts) nextActivation = acts.length > 0 ? acts : 'tanh';
    } else {
      nextLayers = { ...layers, depth: target };
      if (Array.isArray(activation)) {
        const acts = [...activation];
        while (acts.length < target) acts.push(acts[acts.length - 1] ?? 'tanh');
        acts.length = target;
        nextActivation = acts.length > 0 ? acts : 'tanh';
      }
    }
    return { scene: { ...scene, network: { ...scene.network, layers: nextLayers, activation: nextActivation } }, label: `${target} layers (was ${count})` };
  },
};

const widthChange: MutationOperator = {
  name: 'width',
  changes: 'wider or narrower hidden layers',
  strength: 'widths × (1 ± 0.5 × strength to strength)',
  unavailable: (scene) => fromWeightsFile(scene) ?? (hiddenCount(scene) === 0 ? 'the network has no hidden layers' : undefined),
  mutate(scene, { random, strength }) {
    const factor = 1 + sign(random) * Math.min(0.9, strength * random.between(0.5, 1));
    const resize = (w: number): number => Math.min(LIMITS.width, Math.max(1, Math.round(w * factor)));
    const { layers } = scene.network;
    if (Array.isArray(layers)) {
      const widths = layers.map(resize);
      if (widths.every((w, i) => w === layers[i])) return undefined;
      return { scene: { ...scene, network: { ...scene.network, layers: widths } }, label: `widths ${layers.join('/')} → ${widths.join('/')}` };
    }
    const width = resize(layers.width);
    if (width === layers.width) return undefined;
    return { scene: { ...scene, network: { ...scene.network, layers: { ...layers, width } } }, label: `width ${layers.width} → ${width}` };
  },
};

const zoomChange: MutationOperator = {
  name: 'zoom',
  changes: 'closer or farther: every zoom of the scene times one factor',
  strength: 'the factor is 2^(strength to 2 × strength), in or out',
  mutate(scene, { random, strength }) {
    const factor = 2 ** (sign(random) * Math.max(0.05, strength * random.between(1, 2)));
    const times = (z: number): number => tidy(z * factor);
    const changed: SceneFile = {
      ...scene,
      view: { ...scene.view, zoom: times(scene.view.zoom) },
      keyframes: scene.keyframes.map((k) => (k.zoom !== undefined ? { ...k, zoom: times(k.zoom) } : k)),
    };
    return { scene: changed, label: factor > 1 ? `zoom ×${tidy(factor)}` : `zoom ÷${tidy(1 / factor)}` };
  },
};

const paletteChange: MutationOperator = {
  name: 'palette',
  changes: 'another palette (pictures with one output channel), or another hue (RGB)',
  strength: 'a named palette at any strength; a hue turn of ±(60 to 180) × strength degrees',
  mutate(scene, { random, strength }) {
    if (scene.network.output.channels === 1) {
      const current = typeof scene.colour.palette === 'string' ? scene.colour.palette : undefined;
      const choice = pick(random, Object.keys(NAMED_PALETTES).filter((n) => n !== current && (n !== 'ink' || usesPalette(scene))));
      const colour = { ...scene.colour, palette: choice, mode: scene.colour.mode === 'grey' ? ('palette' as const) : scene.colour.mode };
      return { scene: { ...scene, colour }, label: current ? `palette ${current} → ${choice}` : `palette ${choice}` };
    }
    const turn = Math.round(sign(random) * Math.max(10, strength * random.between(60, 180)));
    const changed: SceneFile = {
      ...scene,
      colour: { ...scene.colour, hue: tidy(scene.colour.hue + turn) },
      keyframes: scene.keyframes.map((k) => (k.hue !== undefined ? { ...k, hue: tidy(k.hue + turn) } : k)),
    };
    return { scene: changed, label: `hue ${turn > 0 ? '+' : '−'}${Math.abs(turn)}°` };
  },
};

/** The inputs this operator adds or removes; x and y always stay. */
const OPTIONAL_INPUTS: readonly InputName[] = ['r', 't', 'z'];

const inputChange: MutationOperator = {
  name: 'input',
  changes: 'an input added or removed: r (distance from the centre), t (time) or z (a latent vector)',
  strength: 'an added z starts at values within ±2 × strength',
  unavailable: fromWeightsFile,
  mutate(scene, { random, strength }) {
    const inputs = scene.network.inputs;
    const choices = OPTIONAL_INPUTS.filter((name) => !inputs.includes(name) || inputs.length > 1);
    if (choices.length === 0) return undefined;
    const name = pick(random, choices);
    if (inputs.includes(name)) {
      const network = { ...scene.network, inputs: inputs.filter((i) => i !== name), ...(name === 'z' ? { latent: 0 } : {}) };
      // Keyframes lose what only the removed input used; a keyframe left empty goes.
      const keyframes = scene.keyframes
        .map((k) => {
          if (name !== 'z' && name !== 't') return k;
          const { [name]: _dropped, ...rest } = k;
          return rest;
        })
        .filter((k) => Object.keys(k).some((key) => !['at', 'frame', 'ease', 'pacing'].includes(key) && k[key as keyof typeof k] !== undefined));
      return { scene: { ...scene, network, keyframes, ...(name === 'z' ? { z: undefined } : {}) }, label: `− ${name} input` };
    }
    const ordered = INPUT_NAMES.filter((i) => i === name || inputs.includes(i));
    if (name === 'z') {
      const latent = 2;
      const z = Array.from({ length: latent }, () => tidy(random.between(-2, 2) * Math.max(0.25, strength)));
      return { scene: { ...scene, network: { ...scene.network, inputs: ordered, latent }, z }, label: `+ z input [${z.join(', ')}]` };
    }
    return { scene: { ...scene, network: { ...scene.network, inputs: ordered } }, label: `+ ${name} input` };
  },
};

/** Every operator, in the order a breed tries them (after a seeded shuffle). */
export const MUTATIONS: readonly MutationOperator[] = [seedShift, nudge, activationSwap, depthChange, widthChange, zoomChange, paletteChange, inputChange];

export const MUTATION_NAMES = MUTATIONS.map((m) => m.name);
