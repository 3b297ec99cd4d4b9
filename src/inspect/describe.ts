/**
 * A scene's network in a few words, for labels: "8×16 tanh · normal(0, 1)",
 * "128-64-32-16 tanh", "2×16 cos(7.9x) · zoom 2".
 */
import type { Activation } from '../core/index.js';
import type { SceneModel } from '../scene/index.js';

function activationText(a: Activation): string {
  if ((a.name === 'sin' || a.name === 'cos') && a.frequency !== 1) return `${a.name}(${a.frequency}x)`;
  return a.name;
}

function layersText(hidden: readonly number[]): string {
  if (hidden.length === 0) return 'no hidden layers';
  if (hidden.every((w) => w === hidden[0])) return `${hidden.length}×${hidden[0]}`;
  return hidden.join('-');
}

export function describeNetwork(model: SceneModel): string {
  const { shape, scene } = model;
  const hiddenActivations = [...new Set(shape.activations.slice(0, -1).map(activationText))];
  const init = scene.network.init;
  const initText =
    scene.weights !== undefined
      ? 'weights file'
      : init === 'pytorch-default'
        ? 'pytorch-default'
        : 'uniform' in init
          ? init.uniform[0] === -init.uniform[1]
            ? `uniform ±${init.uniform[1]}`
            : `uniform [${init.uniform[0]}, ${init.uniform[1]}]`
          : `normal(${init.normal.mean}, ${init.normal.std})`;
  const parts = [
    `${layersText(shape.hidden)}${hiddenActivations.length > 0 ? ` ${hiddenActivations.join('/')}` : ''}`,
    `${initText}${scene.network.scale !== 1 ? ` ×${scene.network.scale}` : ''}`,
  ];
  if (scene.view.zoom !== 1) parts.push(`zoom ${scene.view.zoom}`);
  return parts.join(' · ');
}
