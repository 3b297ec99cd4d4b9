import { describe, expect, it } from 'vitest';
import { GifCoderKernel } from './coder-kernel.js';
import { PaletteMaker } from './palette.js';

/** A deterministic pseudo-random byte source. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
}

/** The nearest palette entry by a plain scan: squared RGB distance, ties to the lowest index. */
function scanNearest(colours: Uint8Array, size: number, r: number, g: number, b: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let i = 0; i < size; i++) {
    const d = (colours[i * 3] - r) ** 2 + (colours[i * 3 + 1] - g) ** 2 + (colours[i * 3 + 2] - b) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}

describe('GIF palette lookup', () => {
  it("maps every colour to the entry a plain scan finds for its cell's centre, whatever colour was looked up before", () => {
    const next = random(7);
    const width = 96;
    const height = 64;
    const kernel = new GifCoderKernel(width, height);
    const palettes = new PaletteMaker(kernel);
    // Colourful noise over two gradients: a palette of many entries, with ties and near-ties.
    for (let p = 0; p < width * height; p++) {
      const x = p % width;
      const y = Math.floor(p / width);
      kernel.pixels[p] = ((x * 2 + (next() & 15)) & 0xff) | (((y * 3 + (next() & 15)) & 0xff) << 8) | ((next() & 0xf0) << 16);
    }
    // Large and small palettes in turn: a search must never start from an entry of the last palette.
    let lastEntry: [number, number, number] | undefined;
    for (const [size, enough] of [[256, 0], [40, 0], [256, 30], [6, 0]] as const) {
      const palette = palettes.build(size, enough);
      const cell = (v: number): number => ((v >> palettes.ignoredBits) << palettes.ignoredBits) | (1 << (palettes.ignoredBits - 1));
      // The colour of the last palette's last entry, looked up first.
      if (lastEntry) {
        const [r, g, b] = lastEntry;
        expect(palettes.map(r, g, b)).toBe(scanNearest(palette.colours, palette.size, cell(r), cell(g), cell(b)));
      }
      const last = palette.size - 1;
      lastEntry = [palette.colours[last * 3], palette.colours[last * 3 + 1], palette.colours[last * 3 + 2]];
      expect(palette.size).toBeGreaterThanOrEqual(Math.min(size, 8));
      expect(palettes.ignoredBits).toBeGreaterThan(0);
      for (let k = 0; k < 4000; k++) {
        // Runs of similar colours, then jumps: the search starts from the last colour's entry.
        const [r, g, b] = k % 7 === 0 ? [next(), next(), next()] : [next() & 0x3f, 0x40 + (next() & 0x3f), next()];
        expect(palettes.map(r, g, b), `${r},${g},${b}`).toBe(scanNearest(palette.colours, palette.size, cell(r), cell(g), cell(b)));
      }
      palettes.map(...lastEntry);
    }
  });
});
