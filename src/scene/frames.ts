/**
 * From a scene and a frame number (or a time) to the complete description of
 * that frame: the pure function `frameAt(scene, i)` that makes parallel and
 * distributed rendering safe. Networks are generated from seeds on demand and
 * kept in a small cache, since neighbouring frames share them.
 */
import {
  ACTIVATION_DEFAULTS,
  ACTIVATIONS,
  blendCoefficients,
  checkWeightsFit,
  combineWeights,
  detCos,
  detSin,
  randomWeights,
  type Activation,
  type ActivationParam,
  type FrameDescription,
  type NetworkWeights,
} from '../core/index.js';
import type { SceneModel } from './model.js';
import { applyTimeMap, measurePacing, pacedSegments, type TimeMap } from './pacing.js';
import { homeValue, PARAMETERS, type NumberParameter } from './parameters.js';
import { frameTime, networkKey, valuesAt, type NetworkMix, type NetworkRef, type TimelineValues } from './timeline.js';

/** Weights loaded from files, by absolute path. */
export type WeightsLibrary = ReadonlyMap<string, NetworkWeights>;

const CACHE_SIZE = 8;

/** Values given by hand (the preview's sliders), winning over keyframes and the scene's own. */
export type ParameterOverrides = Partial<Record<NumberParameter, number>> & { center?: readonly [number, number]; z?: readonly number[] };

/** Every value parameter's value at one moment. */
export interface ParameterValues {
  numbers: Record<NumberParameter, number>;
  center: readonly [number, number];
  z: readonly number[];
}

/** Whether a layer's activation reads `param` (logistic reads frequency only with its cos squash). */
function activationUses(a: Activation, param: ActivationParam): boolean {
  if (!(ACTIVATIONS[a.name].params as readonly string[]).includes(param)) return false;
  return !(a.name === 'logistic' && param === 'frequency' && a.squash !== 'cos');
}

/** Re-timings measured, per scene model: every builder of a scene shares its one measurement. */
const pacings = new WeakMap<SceneModel, TimeMap | undefined>();

/** Parameters that set an activation parameter (frequency, slope, …) on every layer. */
const ACTIVATION_SETTERS = PARAMETERS.filter((p) => 'activationParam' in p);

function mixFor(model: SceneModel, phase: number, animated: NetworkMix | undefined): NetworkMix {
  const { orbit, nudge } = model.scene;
  if (orbit) {
    // The scene's own nudge moves both of the orbit's networks.
    const nudged = nudge ? { nudge } : {};
    return { kind: 'orbit', a: { kind: 'seed', seed: orbit.seeds[0], ...nudged }, b: { kind: 'seed', seed: orbit.seeds[1], ...nudged }, angle: 2 * Math.PI * orbit.turns * phase };
  }
  return animated ?? { kind: 'blend', a: model.baseNetwork, b: model.baseNetwork, u: 0 };
}

/** The network at `time` on the trajectory (as the keyframes time it). */
export function networkMixAt(model: SceneModel, time: number): NetworkMix {
  return mixFor(model, time / model.timeline.duration, valuesAt(model.timeline, time).network);
}

/**
 * Every value parameter's value at `time` on the trajectory: keyframed, else
 * the scene's own, with `overrides` winning. An activation parameter no
 * keyframe sets reads from the first layer that has it (layers may differ;
 * frames keep each layer's own); t without keyframes is the phase.
 */
export function parameterValuesAt(model: SceneModel, time: number, overrides: ParameterOverrides = {}): ParameterValues {
  const values = valuesAt(model.timeline, time);
  const { scene, shape } = model;
  const numbers = {} as Record<NumberParameter, number>;
  for (const entry of PARAMETERS) {
    if (entry.kind !== 'number') continue;
    const name = entry.name as NumberParameter;
    const given = overrides[name] ?? values.numbers[name];
    if (given !== undefined) numbers[name] = given;
    else if ('activationParam' in entry) numbers[name] = (shape.activations.find((a) => activationUses(a, entry.activationParam)) ?? ACTIVATION_DEFAULTS)[entry.activationParam];
    else if (name === 't') numbers[name] = values.phase;
    else numbers[name] = homeValue(scene, name) as number;
  }
  return {
    numbers,
    center: overrides.center ?? values.center ?? scene.view.center,
    z: overrides.z ?? values.z ?? scene.z ?? new Array<number>(scene.network.latent).fill(0),
  };
}

export class FrameBuilder {
  private readonly cache = new Map<string, NetworkWeights>();
  private scratch: NetworkWeights | undefined;

  constructor(
    readonly model: SceneModel,
    private readonly library: WeightsLibrary = new Map(),
  ) {}

  network(ref: NetworkRef): NetworkWeights {
    const key = networkKey(ref);
    const cached = this.cache.get(key);
    if (cached) {
      // Refresh its place in the least-recently-used order.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    let weights: NetworkWeights;
    if (ref.kind === 'seed') {
      weights = randomWeights(this.model.shape, this.model.init, ref.seed);
    } else {
      const loaded = this.library.get(ref.path);
      if (!loaded) throw new Error(`weights file ${ref.path} was not loaded`);
      checkWeightsFit(this.model.shape, loaded);
      weights = loaded;
    }
    for (const step of ref.nudge ?? []) {
      // The target first (it may be nudged itself), then the mix: a new array, since `weights` may be cached or a file's.
      const target = this.network({ kind: 'seed', seed: step.seed, ...(step.nudge ? { nudge: step.nudge } : {}) });
      const [ca, cb] = blendCoefficients(this.model.scene.network.blend, step.amount);
      weights = combineWeights(weights, target, ca, cb);
    }
    this.cache.set(key, weights);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return weights;
  }

  /** The weights of a mix, scaled, written into a reused buffer. */
  weightsFor(mix: NetworkMix, scale: number): NetworkWeights {
    const a = this.network(mix.a);
    const b = this.network(mix.b);
    const [ca, cb] = mix.kind === 'orbit' ? [detCos(mix.angle), detSin(mix.angle)] : blendCoefficients(this.model.scene.network.blend, mix.u);
    this.scratch = combineWeights(a, b, ca, cb, scale, this.scratch);
    return this.scratch;
  }

  /**
   * The re-timing of a scene with `pacing: even` (measured on first use), or
   * undefined when the scene keeps its keyframes' pace.
   */
  pacing(): TimeMap | undefined {
    const { model } = this;
    if (!pacings.has(model)) {
      const paced = pacedSegments(model.scene).length > 0;
      pacings.set(model, paced ? measurePacing(model.scene, (time) => this.unpacedAt(time), model.timeline.frameCount) : undefined);
    }
    return pacings.get(model);
  }

  /** The trajectory's own time at `time` seconds into the scene (they differ when the scene asks for even pacing). */
  trajectoryTime(time: number): number {
    const pacing = this.pacing();
    return pacing ? applyTimeMap(pacing, time) : time;
  }

  /** The frame showing `time` seconds into the scene (re-timed when the scene asks for even pacing). */
  atTime(time: number, overrides?: ParameterOverrides): FrameDescription {
    return this.unpacedAt(this.trajectoryTime(time), undefined, overrides);
  }

  /** The network shown `time` seconds into the scene: a blend of two networks, or a point on the orbit. */
  networkAt(time: number): NetworkMix {
    return networkMixAt(this.model, this.trajectoryTime(time));
  }

  /** Every value parameter's value `time` seconds into the scene (see parameterValuesAt), `overrides` winning. */
  parameterValues(time: number, overrides: ParameterOverrides = {}): ParameterValues {
    return parameterValuesAt(this.model, this.trajectoryTime(time), overrides);
  }

  /** The frame at `time` on the trajectory as the keyframes time it. */
  unpacedAt(time: number, phase = time / this.model.timeline.duration, overrides: ParameterOverrides = {}): FrameDescription {
    const { model } = this;
    const values = valuesAt(model.timeline, time);
    // A value given by hand wins over a keyframed one, which wins over the scene's own (its home in the scene file).
    const n: TimelineValues['numbers'] = { ...values.numbers };
    for (const [name, value] of Object.entries(overrides)) if (typeof value === 'number') n[name as NumberParameter] = value;
    const center = overrides.center ?? values.center;
    const z = overrides.z ?? values.z;
    const scene = model.scene;
    const number = (name: NumberParameter): number => n[name] ?? (homeValue(scene, name) as number);
    const activations = model.shape.activations.map((a) => {
      const out = { ...a };
      for (const entry of ACTIVATION_SETTERS) {
        const animated = n[entry.name];
        if (animated !== undefined) out[entry.activationParam] = animated;
      }
      return out;
    });
    return {
      width: model.width,
      height: model.height,
      shape: model.shape,
      features: model.features,
      view: {
        zoom: number('zoom'),
        center: center ?? scene.view.center,
        rotation: number('rotation'),
      },
      t: n.t ?? phase,
      latent: z ?? scene.z ?? new Array<number>(scene.network.latent).fill(0),
      weights: this.weightsFor(mixFor(model, phase, values.network), number('scale')),
      activations,
      colour: {
        ...model.colour,
        hue: number('hue'),
        saturation: number('saturation'),
        brightness: number('brightness'),
        contrast: number('contrast'),
        paletteOffset: number('paletteOffset'),
      },
      antialias: scene.output.antialias,
    };
  }

  /** Frame `index` of the video. */
  frame(index: number): FrameDescription {
    const time = frameTime(this.model.timeline, index);
    return this.atTime(time);
  }
}
