import { describe, expect, it } from 'vitest';
import { sceneFromFile, validateSceneData, type NetworkWeights } from '../index.js';
import { scenePayload } from './scene-payload.js';

const scene = validateSceneData({
  name: 'biases',
  output: { size: [16, 16], fps: 10, duration: 1 },
  network: { inputs: ['x', 'y'], layers: { depth: 2, width: 4 } },
  keyframes: [{ at: 0, seed: 1 }, { at: 1, weights: '/nowhere/w.json' }],
});

function weightsWithBias(bias: number): NetworkWeights {
  return {
    layers: [
      { inputs: 2, outputs: 4, weight: new Float32Array(8).fill(0.25), bias: new Float32Array(4).fill(bias) },
      { inputs: 4, outputs: 4, weight: new Float32Array(16).fill(0.5), bias: new Float32Array(4) },
      { inputs: 4, outputs: 3, weight: new Float32Array(12).fill(-0.5), bias: new Float32Array(3) },
    ],
  };
}

const loadedWith = (weights: NetworkWeights) => sceneFromFile(scene, 'test', '/', 'biases', new Map([['/nowhere/w.json', weights]]));

describe('scene payload key', () => {
  it('tells apart two scenes whose weights files differ only in their biases', () => {
    expect(scenePayload(loadedWith(weightsWithBias(0))).key).not.toBe(scenePayload(loadedWith(weightsWithBias(0.5))).key);
  });

  it('is the same for the same scene and weights loaded twice', () => {
    expect(scenePayload(loadedWith(weightsWithBias(0.5))).key).toBe(scenePayload(loadedWith(weightsWithBias(0.5))).key);
  });
});
