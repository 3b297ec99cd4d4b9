/**
 * What a render job carries about its scene: the validated scene file and the
 * weights files it uses, packed into shared memory so that sending them to a
 * worker with every job shares, rather than copies, the numbers.
 */
import type { NetworkWeights } from '../core/index.js';
import type { LoadedScene, SceneFile } from '../scene/index.js';
import { sceneHash } from './scene-hash.js';

export interface ScenePayload {
  /** Identifies the scene and its weights: workers cache per key. */
  key: string;
  scene: SceneFile;
  library: Array<[string, NetworkWeights]>;
}

function shared(values: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(values.byteLength));
  out.set(values);
  return out;
}

const payloads = new WeakMap<LoadedScene, ScenePayload>();

/** The payload of a loaded scene, made once per scene (hashing and copying are not free). */
export function scenePayload(loaded: LoadedScene): ScenePayload {
  let payload = payloads.get(loaded);
  if (!payload) {
    payload = makePayload(loaded);
    payloads.set(loaded, payload);
  }
  return payload;
}

function makePayload(loaded: LoadedScene): ScenePayload {
  const library: ScenePayload['library'] = [];
  for (const [path, weights] of loaded.library) {
    library.push([path, { layers: weights.layers.map((l) => ({ ...l, weight: shared(l.weight), bias: shared(l.bias) })) }]);
  }
  return { key: sceneHash(loaded.scene, loaded.library.values()), scene: loaded.scene, library };
}
