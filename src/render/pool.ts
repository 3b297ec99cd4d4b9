/**
 * The worker pool that renders frames: piscina threads running worker.ts,
 * by default one per core.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { threadModule } from '../threads.js';
import type { FrameJob, FrameJobResult } from './worker.js';

export function defaultWorkerCount(): number {
  return availableParallelism();
}

export interface RenderPool {
  readonly threads: number;
  run(job: FrameJob, signal?: AbortSignal): Promise<FrameJobResult>;
  destroy(): Promise<void>;
}

export function createRenderPool(threads = defaultWorkerCount()): RenderPool {
  const { filename, execArgv } = threadModule('render/worker');
  const pool = new Piscina<FrameJob, FrameJobResult>({
    filename,
    execArgv,
    minThreads: threads,
    maxThreads: threads,
    // Threads stay alive for the whole render; piscina would otherwise reap idle ones.
    idleTimeout: 60_000,
    // A frame's work is in WebAssembly memory; the little JavaScript garbage it
    // makes needs no large young generation (V8 would grow it, in every thread,
    // over a long render).
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  // piscina reports some failures as 'error' events, which would crash the
  // process without a listener. A result arriving for a task already aborted
  // (a race when a render stops) is harmless; anything else fails later runs.
  let poolError: Error | undefined;
  pool.on('error', (error: Error) => {
    if (!/^Unexpected message from Worker/.test(error.message)) poolError ??= error;
  });
  return {
    threads,
    run: (job, signal) => (poolError ? Promise.reject(poolError) : pool.run(job, { signal })),
    destroy: () => pool.destroy(),
  };
}
