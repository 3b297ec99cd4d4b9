/**
 * Random mini-batches of pixels: each epoch visits every pixel once, in a new
 * seeded order (Fisher–Yates), so a batch mixes pixels from all over the
 * picture and the same seed gives the same batches on every machine.
 */
import { SeededRandom } from '../random.js';

export class PixelBatches {
  /** The current epoch's order of pixels. */
  readonly order: Uint32Array;
  private readonly random: SeededRandom;
  private position: number;
  epoch = 0;

  constructor(
    readonly pixels: number,
    readonly batchSize: number,
    seed: number,
  ) {
    if (!(batchSize >= 1)) throw new RangeError(`a batch holds at least 1 pixel, got ${batchSize}`);
    this.order = Uint32Array.from({ length: pixels }, (_, i) => i);
    this.random = new SeededRandom(seed);
    this.position = pixels;
  }

  /** The next batch: pixels order[start..end). A batch never spans two epochs. */
  next(): { start: number; end: number } {
    if (this.position >= this.pixels) {
      this.shuffle();
      this.position = 0;
      this.epoch++;
    }
    const start = this.position;
    const end = Math.min(this.pixels, start + this.batchSize);
    this.position = end;
    return { start, end };
  }

  private shuffle(): void {
    const order = this.order;
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.random.uniform() * (i + 1));
      const swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
  }
}
