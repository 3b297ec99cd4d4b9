/**
 * The network's shape (what the kernels are compiled for) and its weights (what
 * changes from frame to frame). Weights follow PyTorch's nn.Linear convention:
 * a layer's weight matrix has one row per output and one column per input,
 * stored row-major.
 */
import type { Activation } from './activations.js';

export interface NetworkShape {
  /** How many input features each pixel has (x, y, r, time, latent…). */
  inputCount: number;
  /** Widths of the hidden layers, first to last. */
  hidden: readonly number[];
  /** Output channels: 3 for RGB, 1 for greyscale or a palette. */
  outputCount: number;
  /** One activation per hidden layer, then the output activation. */
  activations: readonly Activation[];
}

export interface LayerWeights {
  inputs: number;
  outputs: number;
  /** outputs × inputs, row-major. */
  weight: Float32Array;
  /** One per output; all zero for a network without biases. */
  bias: Float32Array;
}

export interface NetworkWeights {
  layers: LayerWeights[];
}

/** [inputs, outputs] of each layer, the output layer included. */
export function layerSizes(shape: NetworkShape): Array<[number, number]> {
  const widths = [shape.inputCount, ...shape.hidden, shape.outputCount];
  return widths.slice(0, -1).map((inputs, i) => [inputs, widths[i + 1]]);
}

export function emptyWeights(shape: NetworkShape): NetworkWeights {
  return {
    layers: layerSizes(shape).map(([inputs, outputs]) => ({
      inputs,
      outputs,
      weight: new Float32Array(inputs * outputs),
      bias: new Float32Array(outputs),
    })),
  };
}

/** Throws when the weights do not fit the shape (a hand-made weights file, say). */
export function checkWeightsFit(shape: NetworkShape, weights: NetworkWeights): void {
  const sizes = layerSizes(shape);
  if (weights.layers.length !== sizes.length) {
    throw new RangeError(`the network has ${sizes.length} layers (hidden layers plus the output layer) but the weights have ${weights.layers.length}`);
  }
  sizes.forEach(([inputs, outputs], i) => {
    const layer = weights.layers[i];
    if (layer.inputs !== inputs || layer.outputs !== outputs) {
      throw new RangeError(
        `layer ${i + 1} needs ${outputs} outputs × ${inputs} inputs but the weights are ${layer.outputs} × ${layer.inputs}`,
      );
    }
  });
}

/** Total multiply-adds per pixel: the cost of one pixel. */
export function multiplyAddsPerPixel(shape: NetworkShape): number {
  return layerSizes(shape).reduce((sum, [inputs, outputs]) => sum + inputs * outputs, 0);
}
