/**
 * Data-parallel training across worker threads: a batch is cut into one
 * shard per worker, each worker writes its shard's gradient into its own
 * slot of shared memory, and the slots are summed in worker order, so the
 * same seed and worker count always give the same weights. With one worker
 * the shard runs on the calling thread (no thread to start, same numbers).
 */
import { Piscina } from 'piscina';
import { parameterLayout } from '../core/index.js';
import { threadModule } from '../threads.js';
import { runShard, type FitData, type ShardTask } from './gradient-worker.js';

export interface ShardedResult {
  /** Summed squared error over the pixels. */
  errorSum: number;
}

export class ShardPool {
  private readonly pool: Piscina<ShardTask, number> | undefined;
  private readonly size: number;
  readonly params: Float32Array;
  private readonly paramsBuffer: SharedArrayBuffer;
  private readonly slots: SharedArrayBuffer;
  /** The gradient summed over shards (valid after `gradient`). */
  readonly gradientSum: Float32Array;
  private poolError: Error | undefined;

  constructor(
    private readonly data: FitData,
    readonly workers: number,
  ) {
    this.size = parameterLayout(data.shape).size;
    this.paramsBuffer = new SharedArrayBuffer(this.size * 4);
    this.params = new Float32Array(this.paramsBuffer);
    this.slots = new SharedArrayBuffer(this.size * 4 * workers);
    this.gradientSum = new Float32Array(this.size);
    if (workers > 1) {
      const { filename, execArgv } = threadModule('fit/gradient-worker');
      this.pool = new Piscina<ShardTask, number>({ filename, execArgv, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
      this.pool.on('error', (error: Error) => {
        this.poolError ??= error;
      });
    }
  }

  /** Shard boundaries: `workers` nearly equal parts of [start, end). */
  private shards(start: number, end: number): Array<[number, number]> {
    const count = end - start;
    return Array.from({ length: this.workers }, (_, w) => [start + Math.floor((w * count) / this.workers), start + Math.floor(((w + 1) * count) / this.workers)] as [number, number]).filter(([a, b]) => b > a);
  }

  private async run(tasks: ShardTask[]): Promise<number[]> {
    if (this.poolError) throw this.poolError;
    if (!this.pool) return tasks.map(runShard);
    return Promise.all(tasks.map((task) => this.pool!.run(task)));
  }

  /** Squared error and summed gradient of order[start..end) at `params` (copy them in first). */
  async gradient(order: SharedArrayBuffer, start: number, end: number): Promise<number> {
    const shards = this.shards(start, end);
    const errors = await this.run(
      shards.map(([a, b], w) => ({ data: this.data, params: this.paramsBuffer, order, start: a, end: b, gradient: { buffer: this.slots, offset: w * this.size * 4 } })),
    );
    const sum = this.gradientSum;
    sum.set(new Float32Array(this.slots, 0, this.size));
    for (let w = 1; w < shards.length; w++) {
      const slot = new Float32Array(this.slots, w * this.size * 4, this.size);
      for (let i = 0; i < this.size; i++) sum[i] += slot[i];
    }
    return errors.reduce((a, b) => a + b, 0);
  }

  /** Squared error of order[start..end) at `params`, without a gradient. */
  async error(order: SharedArrayBuffer, start: number, end: number): Promise<number> {
    const errors = await this.run(this.shards(start, end).map(([a, b]) => ({ data: this.data, params: this.paramsBuffer, order, start: a, end: b })));
    return errors.reduce((a, b) => a + b, 0);
  }

  async destroy(): Promise<void> {
    await this.pool?.destroy();
  }
}
