import { describe, expect, it } from 'vitest';
import { FeatureWriter, featureCount, type FeatureSpec, type View } from './features.js';

const xyr: FeatureSpec = { inputs: ['x', 'y', 'r'], timeMode: 'circle', timeScale: 1, latentSize: 0 };

function features(spec: FeatureSpec, width: number, height: number, view: View = { zoom: 1, center: [0, 0], rotation: 0 }, t = 0, latent: number[] = []): Float32Array[] {
  const count = width * height;
  const out = new Float32Array(featureCount(spec) * count);
  new FeatureWriter(spec, { width, height, view, t, latent }).write(out, count, 0, count);
  return Array.from({ length: featureCount(spec) }, (_, f) => out.subarray(f * count, (f + 1) * count));
}

describe('the coordinate convention', () => {
  it('samples pixel centres, puts (0, 0) at the image centre, and makes the shorter side span [-0.5, 0.5]', () => {
    const [x, y, r] = features(xyr, 4, 2);
    // Row 0: columns 0..3 → x = (i + 0.5 - 2) / 2
    expect(Array.from(x.subarray(0, 4))).toEqual([-0.75, -0.25, 0.25, 0.75]);
    // y grows downwards: row 0 is y = -0.25, row 1 is y = +0.25.
    expect(y[0]).toBe(-0.25);
    expect(y[4]).toBe(0.25);
    expect(r[0]).toBeCloseTo(Math.hypot(0.75, 0.25), 6);
  });

  it('multiplies by zoom and then adds the centre', () => {
    const [x, y] = features(xyr, 2, 2, { zoom: 4, center: [10, -1], rotation: 0 });
    expect(x[0]).toBe(10 + 4 * -0.25);
    expect(y[0]).toBe(-1 + 4 * -0.25);
  });

  it('turns the picture anticlockwise for a positive rotation', () => {
    // Anticlockwise moves 6 o'clock to 3 o'clock: the pixel right of centre now shows what was
    // below the centre (y > 0, as y grows downwards).
    const [x, y] = features(xyr, 3, 3, { zoom: 1, center: [0, 0], rotation: 90 });
    const right = 1 * 3 + 2;
    expect(x[right]).toBeCloseTo(0, 6);
    expect(y[right]).toBeCloseTo(1 / 3, 6);
  });

  it('feeds time as a circle (sin, cos) or linearly, and the latent vector in order', () => {
    const circle: FeatureSpec = { inputs: ['t', 'z'], timeMode: 'circle', timeScale: 2, latentSize: 2 };
    const [ts, tc, z0, z1] = features(circle, 1, 1, undefined, 0.25, [0.5, -3]);
    expect(ts[0]).toBeCloseTo(2, 6);
    expect(tc[0]).toBeCloseTo(0, 6);
    expect([z0[0], z1[0]]).toEqual([0.5, -3]);
    const linear: FeatureSpec = { ...circle, timeMode: 'linear', latentSize: 0, inputs: ['t'] };
    expect(features(linear, 1, 1, undefined, 0.25)[0][0]).toBe(0.5);
  });
});
