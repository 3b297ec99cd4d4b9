/**
 * Weights files: JSON {"layers": [{"weight": [[...], ...], "bias": [...]}, ...]},
 * each weight matrix with one row per output and one column per input, as in
 * PyTorch's nn.Linear, so a network trained or made elsewhere renders here.
 */
import type { NetworkWeights } from '../core/index.js';
import { UserError } from '../errors.js';

/** The largest magnitude a 32-bit float holds: the renderer computes in float32, where larger numbers become infinite. */
export const FLOAT32_MAX = 3.4028234663852886e38;

export interface WeightsJson {
  layers: Array<{ weight: number[][]; bias: number[] }>;
}

export function weightsToJson(weights: NetworkWeights): WeightsJson {
  return {
    layers: weights.layers.map((layer) => ({
      weight: Array.from({ length: layer.outputs }, (_, row) => Array.from(layer.weight.subarray(row * layer.inputs, (row + 1) * layer.inputs))),
      bias: Array.from(layer.bias),
    })),
  };
}

/** Parses and checks a weights file's JSON; `where` names the file in messages. */
export function weightsFromJson(data: unknown, where: string): NetworkWeights {
  const fail = (what: string): never => {
    throw new UserError(`${where}: ${what}`, 'a weights file is {"layers": [{"weight": [[...]], "bias": [...]}, ...]} with weight rows = outputs, columns = inputs (PyTorch nn.Linear)');
  };
  if (typeof data !== 'object' || data === null || !Array.isArray((data as WeightsJson).layers)) fail('has no "layers" list');
  const layers = (data as WeightsJson).layers;
  if (layers.length === 0) fail('"layers" is empty');
  return {
    layers: layers.map((layer, i) => {
      const at = `layers[${i}]`;
      if (!Array.isArray(layer?.weight) || layer.weight.length === 0 || !layer.weight.every(Array.isArray)) fail(`${at}.weight must be a non-empty list of rows`);
      const outputs = layer.weight.length;
      const inputs = layer.weight[0].length;
      if (inputs === 0) fail(`${at}.weight has empty rows`);
      const weight = new Float32Array(outputs * inputs);
      layer.weight.forEach((row, r) => {
        if (row.length !== inputs) fail(`${at}.weight row ${r} has ${row.length} values; row 0 has ${inputs}`);
        row.forEach((v, c) => {
          if (typeof v !== 'number' || !(Math.abs(v) <= FLOAT32_MAX)) fail(`${at}.weight[${r}][${c}] is not a finite number within float32's range (±3.4e38)`);
          weight[r * inputs + c] = v;
        });
      });
      const bias = new Float32Array(outputs);
      if (layer.bias !== undefined) {
        if (!Array.isArray(layer.bias) || layer.bias.length !== outputs) fail(`${at}.bias must have ${outputs} values (one per output row)`);
        layer.bias.forEach((v, k) => {
          if (typeof v !== 'number' || !(Math.abs(v) <= FLOAT32_MAX)) fail(`${at}.bias[${k}] is not a finite number within float32's range (±3.4e38)`);
          bias[k] = v;
        });
      }
      if (i > 0 && layers[i - 1].weight.length !== inputs) fail(`${at} takes ${inputs} inputs but layer ${i - 1} gives ${layers[i - 1].weight.length} outputs`);
      return { inputs, outputs, weight, bias };
    }),
  };
}
