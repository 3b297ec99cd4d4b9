import type { Command } from 'commander';
import { option, UserError, words } from '../../errors.js';
import { DEFAULT_STORE, type ClusterFlags } from '../cluster-flags.js';
import type { BackendRequest } from '../../render/backend-choice.js';
import { addOptions } from '../options.js';
import { flagWord } from '../../scene/options/index.js';
import { takeSignals } from '../signals.js';

interface WorkerFlags extends ClusterFlags {
  concurrency?: number;
  lockSeconds?: number;
  workers?: number;
  backend: BackendRequest;
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

export function registerWorker(program: Command): void {
  const command = program
    .command('worker')
    .description(`render and code pieces of videos, and whole series items, queued with ${flagWord('redis')} by render and batch, on this machine (its CPU, and its GPU where it has one), until stopped (Ctrl-C)`);
  addOptions(command, ['redis', 'concurrency', 'workers', 'backend', 'store', 'lockSeconds']).action(async (flags: WorkerFlags) => {
    if (flags.redis === undefined) throw new UserError(words`${option('redis')} is required`);
    // Loaded here, not with the command line: see cluster-flags.ts.
    const { createDirectoryStore, startChunkWorker } = await import('../../cluster/index.js');
    const store = createDirectoryStore(flags.store ?? DEFAULT_STORE);
    const worker = await startChunkWorker({ redisUrl: flags.redis, store, concurrency: flags.concurrency, lockSeconds: flags.lockSeconds, threads: flags.workers, backend: flags.backend, log });
    /*
     * Exit codes: a worker serves until it is stopped, so a stop that finishes
     * the jobs in hand loses nothing and ends with 0 (a service manager sees a
     * clean stop). A second signal cuts the jobs in hand short (they go back
     * to the queue): 130, as for any command interrupted mid-work. A stop
     * that fails (Redis or the backend refusing to close) ends with 1.
     */
    const couldNotClose = (error: unknown): void => log(`could not stop cleanly (${(error as Error).message}); a job in hand goes back to the queue once its lock lapses`);
    await new Promise<void>((done) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) {
          // A second Ctrl-C: go now; the job in hand returns to the queue once its lock lapses.
          log(`${signal} again: stopping now; the job in hand goes back to the queue`);
          void worker
            .close(true)
            .catch(couldNotClose)
            .finally(() => process.exit(130));
          return;
        }
        stopping = true;
        log(`${signal}: finishing the job in hand, then stopping (Ctrl-C again to stop at once)`);
        // BullMQ's blocking connection may still be retrying a Redis that is gone; it must not keep a stopped worker alive.
        void worker.close().then(
          () => {
            log('stopped');
            done();
            process.exit(0);
          },
          (error: unknown) => {
            couldNotClose(error);
            process.exit(1);
          },
        );
      };
      // SIGHUP too: a worker whose terminal closes finishes its chunk like one told to stop.
      takeSignals(stop);
    });
  });
}
