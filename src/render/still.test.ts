import { afterAll, describe, expect, it } from 'vitest';
import { sceneFromFile, validateSceneData, type LoadedScene } from '../scene/index.js';
import { createRenderPool } from './pool.js';
import { renderStill, startStillPool } from './still.js';

function scene(size: [number, number]): LoadedScene {
  const data = validateSceneData({
    name: 'still',
    output: { size },
    network: { inputs: ['x', 'y', 'r'], layers: { depth: 8, width: 16 }, activation: 'tanh', output: { channels: 3, activation: 'sigmoid' }, init: { normal: { std: 1 } } },
    seed: 4,
  });
  return sceneFromFile(data, 'still', process.cwd(), 'still');
}

const pool = createRenderPool(2);
afterAll(() => pool.destroy());

describe('stills', () => {
  it('on threads, its rows split into bands, are the same picture as on the calling thread', async () => {
    const loaded = scene([200, 150]);
    const alone = await renderStill(loaded, { workers: 1 });
    const banded = await renderStill(loaded, { pool });
    expect(banded.data.length).toBe(200 * 150 * 4);
    expect(Buffer.from(banded.data).equals(Buffer.from(alone.data))).toBe(true);
  });

  it('start threads of their own only for enough work to repay starting them', async () => {
    // 512×512 of this network is too little work to repay starting threads; 4096×4096 is enough.
    expect(startStillPool(scene([512, 512]), 2)).toBeUndefined();
    expect(startStillPool(scene([4096, 4096]), 1)).toBeUndefined();
    const started = startStillPool(scene([4096, 4096]), 2);
    expect(started?.threads).toBe(2);
    await started?.destroy();
  });
});
