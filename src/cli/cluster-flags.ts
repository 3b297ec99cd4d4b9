/**
 * The cluster's options as every command that can use it takes them (render,
 * batch, worker, doctor: --redis URL and --store DIR, declared in the option
 * table), and the backend they make.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterBackend } from '../cluster/index.js';
import type { PixelBackend } from '../render/pixel-backend.js';
import type { Reporter } from './report.js';

export interface ClusterFlags {
  redis?: string;
  store?: string;
}

/** Where pieces go when --store is not given: fine for workers on this machine; a cluster of machines shares one directory. */
export const DEFAULT_STORE = join(tmpdir(), 'cppn-motion-chunks');

/** The cluster backend for --redis, or undefined to render on this machine. `pixelBackend`: the workers that render (see clusterPixelBackend). */
export async function clusterBackend(flags: ClusterFlags, report: Reporter, pixelBackend: PixelBackend, localWorkers?: number): Promise<ClusterBackend | undefined> {
  if (flags.redis === undefined) return undefined;
  // Loaded only now: the queue's libraries are slow to load, which a render on this machine alone need not pay.
  const { createClusterBackend, createDirectoryStore } = await import('../cluster/index.js');
  const backend = await createClusterBackend({
    redisUrl: flags.redis,
    store: createDirectoryStore(flags.store ?? DEFAULT_STORE),
    pixelBackend,
    localWorkers,
    onNotice: (message) => report.warn(message),
  });
  report.info(`rendering on ${backend.description}, pieces in ${flags.store ?? DEFAULT_STORE}`);
  return backend;
}
