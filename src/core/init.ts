/**
 * Random networks from a seed. The stream is drawn layer by layer, each
 * layer's weights (row by row) and then its biases, so the same seed, shape
 * and initialisation give the same network on every machine.
 */
import { layerSizes, type NetworkShape, type NetworkWeights } from './network.js';
import { SeededRandom } from './random.js';

export type WeightInit =
  /** PyTorch's nn.Linear default: weights and biases uniform in ±1/sqrt(fan_in). */
  | { kind: 'pytorch-default' }
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'normal'; mean: number; std: number };

export interface InitOptions {
  init: WeightInit;
  /** false: biases are all zero. */
  bias: boolean;
}

export function randomWeights(shape: NetworkShape, options: InitOptions, seed: number): NetworkWeights {
  const random = new SeededRandom(seed);
  const draw = (fanIn: number): number => {
    const init = options.init;
    switch (init.kind) {
      case 'pytorch-default': {
        const bound = 1 / Math.sqrt(fanIn);
        return random.between(-bound, bound);
      }
      case 'uniform':
        return random.between(init.low, init.high);
      case 'normal':
        return init.mean + init.std * random.normal();
    }
  };
  return {
    layers: layerSizes(shape).map(([inputs, outputs]) => {
      const weight = new Float32Array(inputs * outputs);
      for (let i = 0; i < weight.length; i++) weight[i] = draw(inputs);
      const bias = new Float32Array(outputs);
      if (options.bias) for (let i = 0; i < outputs; i++) bias[i] = draw(inputs);
      return { inputs, outputs, weight, bias };
    }),
  };
}
