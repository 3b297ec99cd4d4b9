import { describe, expect, it } from 'vitest';
import { scenePayload } from '../render/scene-payload.js';
import { sceneFromFile, validateSceneData, type NetworkWeights } from '../index.js';
import { acceptChunkJob, chunkJob, chunkKey, RejectedJobError } from './chunk-job.js';

const scene = validateSceneData({
  name: 'job',
  output: { size: [32, 24], fps: 10, duration: 2 },
  network: { inputs: ['x', 'y'], layers: { depth: 2, width: 4 } },
  keyframes: [{ at: 0, seed: 1 }, { at: 1, weights: '/nowhere/w.json' }],
});
const weights: NetworkWeights = {
  layers: [
    { inputs: 2, outputs: 4, weight: new Float32Array(8).map((_, i) => Math.fround(i / 7 - 0.3)), bias: new Float32Array(4).fill(0.125) },
    { inputs: 4, outputs: 4, weight: new Float32Array(16).map((_, i) => Math.fround(Math.sin(i))), bias: new Float32Array(4) },
    { inputs: 4, outputs: 3, weight: new Float32Array(12).map((_, i) => Math.fround(Math.cos(i) / 3)), bias: new Float32Array(3) },
  ],
};
const loaded = sceneFromFile(scene, 'test', '/', 'job', new Map([['/nowhere/w.json', weights]]));

describe('chunk jobs', () => {
  it('carry the scene and its weights: a worker rebuilds the same scene, with the same hash, without reading any file', () => {
    const job = JSON.parse(JSON.stringify(chunkJob(loaded, { start: 4, end: 8 })));
    const accepted = acceptChunkJob(job);
    expect(accepted.key).toBe(chunkKey(scenePayload(loaded).key, { start: 4, end: 8 }));
    expect(scenePayload(accepted.loaded).key).toBe(scenePayload(loaded).key);
    expect(Array.from(accepted.loaded.library.get('/nowhere/w.json')!.layers[1].weight)).toEqual(Array.from(weights.layers[1].weight));
  });

  it('are refused when they are not well-formed, with the reason', () => {
    const good = (): Record<string, unknown> => JSON.parse(JSON.stringify(chunkJob(loaded, { start: 0, end: 4 })));
    const refused = (data: unknown): string => {
      try {
        acceptChunkJob(data);
      } catch (error) {
        expect(error).toBeInstanceOf(RejectedJobError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused('text')).toMatch(/not an object/);
    expect(refused({ ...good(), format: 2 })).toMatch(/job format 2/);
    expect(refused({ ...good(), sceneHash: '../../etc' })).toMatch(/sceneHash/);
    expect(refused({ ...good(), range: { start: 0, end: 21 } })).toMatch(/not within the scene's 20 frames/);
    expect(refused({ ...good(), range: { start: 3, end: 3 } })).toMatch(/not within/);
    expect(refused({ ...good(), weights: {} })).toMatch(/names weights \/nowhere\/w.json, which the job does not carry/);
    expect(refused({ ...good(), scene: { ...(good().scene as object), network: { layers: { depth: 0 } } } })).toMatch(/its scene is not valid/);
    // Another scene under this scene's hash: a stale or forged job.
    const other = good();
    (other.scene as { keyframes: Array<{ seed?: number }> }).keyframes[0].seed = 2;
    expect(refused(other)).toMatch(/hashes to [0-9a-f]{16}, not the/);
  });
});
