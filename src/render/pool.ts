/**
 * The worker pool that renders frames: piscina threads running worker.ts,
 * by default one per core.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { FrameJob, FrameJobResult } from './worker.js';

export function defaultWorkerCount(): number {
  return availableParallelism();
}

export interface RenderPool {
  readonly threads: number;
  run(job: FrameJob, signal?: AbortSignal): Promise<FrameJobResult>;
  destroy(): Promise<void>;
}

/** The worker's file: the compiled .js in a build, the .ts source under a TypeScript runner. */
function workerFile(): { filename: string; execArgv: string[] } {
  const here = import.meta.url;
  // piscina loads the worker with require() first; Node 20's require() of an
  // ES module can abort the process (a V8 fatal error, IsGraphAsync) when many
  // workers start at once or a render stops while they start. Without it,
  // piscina falls back to import(), which is safe.
  const noRequireEsm = process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module') ? ['--no-experimental-require-module'] : [];
  if (here.endsWith('.ts')) return { filename: new URL('./worker.ts', here).href, execArgv: ['--import', 'tsx', ...noRequireEsm] };
  return { filename: new URL('./worker.js', here).href, execArgv: noRequireEsm };
}

export function createRenderPool(threads = defaultWorkerCount()): RenderPool {
  const { filename, execArgv } = workerFile();
  const pool = new Piscina<FrameJob, FrameJobResult>({
    filename,
    execArgv,
    minThreads: threads,
    maxThreads: threads,
    // Threads stay alive for the whole render; piscina would otherwise reap idle ones.
    idleTimeout: 60_000,
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
