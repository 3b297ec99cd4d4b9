/**
 * From a scene and a frame number (or a time) to the complete description of
 * that frame: the pure function `frameAt(scene, i)` that makes parallel and
 * distributed rendering safe. Networks are generated from seeds on demand and
 * kept in a small cache, since neighbouring frames share them.
 */
import {
  blendCoefficients,
  checkWeightsFit,
  combineWeights,
  detCos,
  detSin,
  randomWeights,
  type FrameDescription,
  type NetworkWeights,
} from '../core/index.js';
import type { SceneModel } from './model.js';
import { applyTimeMap, measurePacing, pacedSegments, type TimeMap } from './pacing.js';
import { homeValue, PARAMETERS, type NumberParameter } from './parameters.js';
import { frameTime, networkKey, valuesAt, type NetworkMix, type NetworkRef } from './timeline.js';

/** Weights loaded from files, by absolute path. */
export type WeightsLibrary = ReadonlyMap<string, NetworkWeights>;

const CACHE_SIZE = 8;

/** Re-timings measured, per scene model: every builder of a scene shares its one measurement. */
const pacings = new WeakMap<SceneModel, TimeMap | undefined>();

/** Parameters that set an activation parameter (frequency, slope, …) on every layer. */
const ACTIVATION_SETTERS = PARAMETERS.filter((p) => 'activationParam' in p);

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
    this.cache.set(key, weights);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return weights;
  }

  private mixFor(phase: number, animated: NetworkMix | undefined): NetworkMix {
    const orbit = this.model.scene.orbit;
    if (orbit) {
      return { kind: 'orbit', a: { kind: 'seed', seed: orbit.seeds[0] }, b: { kind: 'seed', seed: orbit.seeds[1] }, angle: 2 * Math.PI * orbit.turns * phase };
    }
    return animated ?? { kind: 'blend', a: this.model.baseNetwork, b: this.model.baseNetwork, u: 0 };
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

  /** The frame showing `time` seconds into the scene (re-timed when the scene asks for even pacing). */
  atTime(time: number): FrameDescription {
    const pacing = this.pacing();
    return this.unpacedAt(pacing ? applyTimeMap(pacing, time) : time);
  }

  /** The frame at `time` on the trajectory as the keyframes time it. */
  unpacedAt(time: number, phase = time / this.model.timeline.duration): FrameDescription {
    const { model } = this;
    const values = valuesAt(model.timeline, time);
    const n = values.numbers;
    const scene = model.scene;
    // A keyframed value wins over the scene's own (its home in the scene file).
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
        center: values.center ?? scene.view.center,
        rotation: number('rotation'),
      },
      t: n.t ?? phase,
      latent: values.z ?? scene.z ?? new Array<number>(scene.network.latent).fill(0),
      weights: this.weightsFor(this.mixFor(phase, values.network), number('scale')),
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
