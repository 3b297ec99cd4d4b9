import { describe, expect, it } from 'vitest';
import { activation, ACTIVATION_PARAMS, type ActivationParam } from '../activations.js';
import { DEFAULT_COLOUR } from '../colour.js';
import type { FeatureSpec } from '../features.js';
import type { FrameDescription } from '../frame.js';
import { randomWeights } from '../init.js';
import type { NetworkShape } from '../network.js';
import { glslActivation } from './glsl-kernel.js';
import { columnVector, biasVector, gpuFrameLayout, gpuWeightsLayout, packGpuWeights, writeActivationParams, writeFrameInputs } from './gpu-inputs.js';
import { VectorProgram } from './vector-program.js';
import { wgslActivation, wgslComputeShader } from './wgsl-kernel.js';

const features: FeatureSpec = { inputs: ['x', 'y', 'r', 't'], timeMode: 'circle', timeScale: 1, latentSize: 0 };
const shape: NetworkShape = {
  inputCount: 5,
  hidden: [6, 6],
  outputCount: 3,
  activations: [activation('cos', { frequency: 2, slope: 0.1, alpha: 3, r: 3.7 }), activation('leaky-relu', { frequency: 5, slope: 0.2, alpha: 4, r: 3.8 }), activation('sigmoid', { frequency: 7, slope: 0.3, alpha: 5, r: 3.9 })],
};

describe("a frame's GPU inputs", () => {
  it('gives each layer as many vec4s of activation parameters as the parameters need: a fifth never lands on the next layer', () => {
    // One parameter more than the catalogue has today (iterations, as a number).
    const five = [...ACTIVATION_PARAMS, 'iterations'] as unknown as ActivationParam[];
    const layout = gpuFrameLayout(shape, features, five);
    expect(layout.paramVectors).toBe(2);
    const out = new Float32Array(layout.vectors * 4);
    const activations = shape.activations.map((a, i) => ({ ...a, iterations: 10 + i }));
    writeActivationParams(layout, activations, out);
    activations.forEach((a, layer) => {
      const at = (layout.offset.params + layer * layout.paramVectors) * 4;
      expect(Array.from(out.subarray(at, at + 5))).toEqual([a.frequency, a.slope, a.alpha, a.r, a.iterations].map(Math.fround));
    });
  });

  it('the generated GLSL and WGSL read a fifth parameter from the second vec4', () => {
    const program = new VectorProgram();
    program.result = program.mul(program.input, program.param(4));
    expect(glslActivation(program, 'act', 2, 'magic')).toMatch(/float act\(float x, vec4 p0, vec4 p1\)[\s\S]*p1\[0\]/);
    expect(wgslActivation(program, 'act', 2, 'magic')).toMatch(/fn act\(x: vec4f, p0: vec4f, p1: vec4f\)[\s\S]*p1\.x/);
  });

  it('lays the weights out as a bias and one column per input for each group of four outputs', () => {
    const weights = randomWeights(shape, { init: { kind: 'normal', mean: 0, std: 1 }, bias: true }, 5);
    const packed = packGpuWeights(shape, weights);
    const layout = gpuWeightsLayout(shape);
    layout.layers.forEach((l, i) => {
      const { weight, bias } = weights.layers[i];
      for (let o = 0; o < l.outputs; o++) {
        expect(packed[biasVector(l, o >> 2) * 4 + (o & 3)]).toBe(bias[o]);
        for (let k = 0; k < l.inputs; k++) expect(packed[columnVector(l, o >> 2, k) * 4 + (o & 3)]).toBe(weight[o * l.inputs + k]);
      }
      // The padded lane of a last group (6 or 3 outputs) stays zero, bias and weights.
      expect(packed[biasVector(l, l.groups - 1) * 4 + 3]).toBe(0);
      expect(packed[columnVector(l, l.groups - 1, 0) * 4 + 3]).toBe(0);
    });
    expect(packed.length).toBe(layout.vectors * 4);
  });

  it('writes view, centre, time constants and the region a dispatch covers where the layout says', () => {
    const frame: FrameDescription = {
      width: 40,
      height: 20,
      shape,
      features,
      view: { zoom: 2, center: [0.25, -0.5], rotation: 0 },
      t: 0.25,
      latent: [],
      weights: randomWeights(shape, { init: { kind: 'normal', mean: 0, std: 1 }, bias: true }, 1),
      activations: shape.activations,
      colour: DEFAULT_COLOUR,
      antialias: 3,
    };
    const layout = gpuFrameLayout(shape, features);
    const data = writeFrameInputs(layout, frame, undefined, { x: 8, y: 4, width: 16, height: 2 });
    const vector = (name: keyof typeof layout.offset): number[] => Array.from(data.subarray(layout.offset[name] * 4, layout.offset[name] * 4 + 4));
    expect(vector('canvas')).toEqual([40, 20, 12582912, 3]);
    expect(vector('view')).toEqual([1, 0, Math.fround(2 / 20), 0]);
    expect(vector('center')).toEqual([0.25, -0.5, 0, 0]);
    expect(vector('region')).toEqual([8, 4, 16, 2]);
    // Circle mode: sin 2πt, cos 2πt.
    expect(vector('constants')[0]).toBeCloseTo(1, 6);
    expect(vector('constants')[1]).toBeCloseTo(0, 6);
    expect(layout.constantCount).toBe(2);
  });

  it('the WGSL kernel declares the bindings it lists, with the weights in a uniform buffer only when they fit one', () => {
    const small = wgslComputeShader({ shape, features, colourMode: 'rgb' });
    expect(small.bindings.map((b) => `${b.binding}:${b.holds}:${b.kind}`)).toEqual(['0:frame:uniform', '1:weights:uniform', '3:pixels:storage']);
    expect(small.code).toContain('var<uniform> weights');
    const tight = wgslComputeShader({ shape, features, colourMode: 'palette', maxUniformBytes: 64 });
    expect(tight.bindings.find((b) => b.holds === 'weights')!.kind).toBe('read-only-storage');
    expect(tight.code).toContain('var<storage, read> weights');
    // Three output channels are RGB: no palette, whatever the colour mode.
    expect(tight.bindings.some((b) => b.holds === 'palette')).toBe(false);
  });
});
