/**
 * The one hash of "what shapes a scene's pictures": the scene's own settings
 * and every number of the weights files it uses (weights and biases alike).
 * Workers cache renderers by it, the cluster files pieces under it and a
 * batch tells one series from another by it, so anything it leaves out lets
 * a stale picture stand in for a new one.
 */
import { createHash } from 'node:crypto';
import type { NetworkWeights } from '../core/index.js';

function bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** `settings` is the scene as JSON would write it (less what the caller counts as not shaping pictures). */
export function sceneHash(settings: unknown, library: Iterable<NetworkWeights>): string {
  const hash = createHash('sha256').update(JSON.stringify(settings));
  for (const weights of library) {
    for (const layer of weights.layers) hash.update(bytes(layer.weight)).update(bytes(layer.bias));
  }
  return hash.digest('hex').slice(0, 16);
}
