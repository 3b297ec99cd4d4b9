/**
 * A network's weights and biases as one flat vector, so that an optimiser,
 * a gradient and a worker's shared buffer all use the same layout: layer by
 * layer, each layer's weight matrix (row-major, PyTorch's nn.Linear layout)
 * then its biases.
 */
import { layerSizes, type NetworkShape, type NetworkWeights } from '../network.js';

export type FloatArray = Float32Array | Float64Array;

export interface LayerSlot {
  inputs: number;
  outputs: number;
  /** Where the layer's weight matrix starts in the flat vector. */
  weight: number;
  /** Where its biases start. */
  bias: number;
}

export interface ParameterLayout {
  layers: readonly LayerSlot[];
  /** Length of the flat vector. */
  size: number;
}

export function parameterLayout(shape: NetworkShape): ParameterLayout {
  let at = 0;
  const layers = layerSizes(shape).map(([inputs, outputs]) => {
    const slot = { inputs, outputs, weight: at, bias: at + inputs * outputs };
    at += inputs * outputs + outputs;
    return slot;
  });
  return { layers, size: at };
}

/** Copies weights into a flat vector (`scale` multiplies every value). */
export function flattenWeights(layout: ParameterLayout, weights: NetworkWeights, out: FloatArray = new Float32Array(layout.size), scale = 1): FloatArray {
  layout.layers.forEach((slot, i) => {
    const layer = weights.layers[i];
    for (let k = 0; k < layer.weight.length; k++) out[slot.weight + k] = layer.weight[k] * scale;
    for (let k = 0; k < layer.bias.length; k++) out[slot.bias + k] = layer.bias[k] * scale;
  });
  return out;
}

/** Weights copied out of a flat vector (`scale` multiplies every value). */
export function unflattenWeights(layout: ParameterLayout, values: ArrayLike<number>, scale = 1): NetworkWeights {
  return {
    layers: layout.layers.map((slot) => {
      const weight = new Float32Array(slot.inputs * slot.outputs);
      for (let k = 0; k < weight.length; k++) weight[k] = values[slot.weight + k] * scale;
      const bias = new Float32Array(slot.outputs);
      for (let k = 0; k < bias.length; k++) bias[k] = values[slot.bias + k] * scale;
      return { inputs: slot.inputs, outputs: slot.outputs, weight, bias };
    }),
  };
}
