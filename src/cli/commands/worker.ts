import type { Command } from 'commander';
import { checkRedisUrl } from '../../cluster/redis-url.js';
import { UserError } from '../../errors.js';
import { addStoreFlag, DEFAULT_STORE, type ClusterFlags } from '../cluster-flags.js';
import type { BackendRequest } from '../../render/backend-choice.js';
import { addBackendFlag, parseWholeNumber } from '../options.js';
import { takeSignals } from '../signals.js';

interface WorkerFlags extends ClusterFlags {
  concurrency?: number;
  workers?: number;
  backend: BackendRequest;
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

export function registerWorker(program: Command): void {
  const command = program
    .command('worker')
    .description("render and code pieces of videos, and whole series items, queued with --redis by render and batch, on this machine (its CPU, and its GPU where it has one), until stopped (Ctrl-C)")
    .requiredOption('--redis <url>', 'the queue: redis://host:6379, redis://:password@host:6379, rediss://… for TLS', checkRedisUrl)
    .option('--concurrency <n>', 'jobs of each backend done at once (default 2: one renders while the other\'s encoders finish)', parseWholeNumber(1, 64))
    .option('--workers <n>', 'worker threads for CPU jobs (default: one per core)', parseWholeNumber(1, 256));
  addBackendFlag(
    command,
    'which jobs it takes: gpu (GPU jobs on this GPU, software adapters included, and CPU jobs on its threads), cpu (CPU jobs only), auto (as gpu when a hardware GPU is there, else as cpu); a video\'s pieces all come from workers of the backend its render asked for',
  );
  addStoreFlag(command).action(async (flags: WorkerFlags) => {
    if (flags.redis === undefined) throw new UserError('--redis is required');
    // Loaded here, not with the command line: see cluster-flags.ts.
    const { createDirectoryStore, startChunkWorker } = await import('../../cluster/index.js');
    const store = createDirectoryStore(flags.store ?? DEFAULT_STORE);
    const worker = await startChunkWorker({ redisUrl: flags.redis, store, concurrency: flags.concurrency, threads: flags.workers, backend: flags.backend, log });
    await new Promise<void>((done) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) {
          // A second Ctrl-C: go now; the job in hand returns to the queue once its lock lapses.
          log(`${signal} again: stopping now; the job in hand goes back to the queue`);
          void worker.close(true).finally(() => process.exit(130));
          return;
        }
        stopping = true;
        log(`${signal}: finishing the job in hand, then stopping (Ctrl-C again to stop at once)`);
        void worker.close().then(() => {
          log('stopped');
          done();
          // BullMQ's blocking connection may still be retrying a Redis that is gone; it must not keep a stopped worker alive.
          process.exit(0);
        });
      };
      // SIGHUP too: a worker whose terminal closes finishes its chunk like one told to stop.
      takeSignals(stop);
    });
  });
}
