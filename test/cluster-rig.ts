/**
 * What the cluster's end-to-end files share: the scenes they render, and a rig
 * that each file sets up once: a real redis-server (emptied after every test),
 * a scratch folder with the chunk store, worker processes of the real CLI
 * (killed after every test), and local renders to compare clustered ones with.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { runCli, tempDir } from './helpers.js';
import { start, type Running } from './cli-process.js';
import { startRedis, type TestRedis } from './redis-server.js';
import { sceneFromFile, validateSceneData } from '../src/scene/index.js';
import { parse } from 'yaml';

/** 192 frames: 6 pieces of 32 (the WebM asks for at least 30). */
export const SMALL = `
name: small
output: { size: [64, 64], fps: 12, duration: 16, formats: [png, mp4, gif, webm, webp, apng] }
loop: true
network:
  inputs: [x, y, r, t]
  layers: { depth: 4, width: 8 }
  init: { normal: { std: 1 } }
keyframes:
  - { at: 0, seed: 7, t: 0 }
  - { at: 8, seed: 11, t: 1 }
`;

/** Heavier frames, so that a piece takes long enough to be interrupted. */
export const HEAVY = `
name: heavy
output: { size: [256, 256], fps: 12, duration: 3, formats: [png] }
loop: true
network:
  inputs: [x, y, r, t]
  layers: { depth: 8, width: 16 }
  init: { normal: { std: 1 } }
keyframes:
  - { at: 0, seed: 3, t: 0 }
  - { at: 1.5, seed: 4, t: 1 }
`;

/** SMALL as the library loads it, for jobs made by hand. */
export function smallLoaded(): ReturnType<typeof sceneFromFile> {
  return sceneFromFile(validateSceneData(parse(SMALL)), 'small.yaml', '/', 'small');
}

export const gifSettings = { gif: { settings: { width: 64, height: 64, fps: 12, coding: { colors: 256, dither: 'none' as const, bayerScale: 2, tolerance: 2 } } } };

export interface ClusterRig {
  /** The running redis-server (set once the file's tests start). */
  readonly redis: TestRedis;
  /** The file's scratch folder. */
  readonly dir: string;
  /** The chunk store the coordinators and workers share. */
  store(): string;
  /** A `cppn-motion worker` on one thread, with `extra` flags, killed after the test. */
  startWorker(extra?: string[]): Running;
  /** Kills `worker` after the test, like the ones startWorker starts. */
  track(worker: Running): Running;
  /** A worker as startWorker starts it, once it is connected, with the store made: for jobs put by hand. */
  readyWorker(extra?: string[]): Promise<Running>;
  /** The CPU jobs' queue as BullMQ sees it, to put jobs on by hand; closed after the test. */
  handQueue(): Promise<Queue>;
  /** A local render of a scene, made once per name: the reference every clustered render must match. */
  local(scene: string, name: string): Promise<string>;
}

/** Sets up the rig for the calling test file (call it at the top of a describe). */
export function useCluster(): ClusterRig {
  let redis: TestRedis | undefined;
  let dir: ReturnType<typeof tempDir> | undefined;
  const workers: Running[] = [];
  const queues: Queue[] = [];
  const localReference = new Map<string, string>();
  const stopWorkers = async (): Promise<void> => {
    for (const worker of workers.splice(0)) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
  };
  beforeAll(async () => {
    redis = await startRedis();
    dir = tempDir();
  });
  afterEach(async () => {
    for (const queue of queues.splice(0)) await queue.close();
    await stopWorkers();
    // Each test starts from an empty queue.
    await redis?.restart(0);
  });
  afterAll(async () => {
    await stopWorkers();
    await redis?.stop();
    dir?.remove();
  });
  const rig: ClusterRig = {
    get redis() {
      if (!redis) throw new Error('the cluster rig is used before its redis-server started');
      return redis;
    },
    get dir() {
      if (!dir) throw new Error('the cluster rig is used before its folder was made');
      return dir.path;
    },
    store: () => join(rig.dir, 'store'),
    track(worker) {
      workers.push(worker);
      return worker;
    },
    startWorker: (extra = []) => rig.track(start(['worker', '--redis', rig.redis.url, '--store', rig.store(), '--workers', '1', ...extra], rig.dir)),
    async readyWorker(extra = []) {
      mkdirSync(rig.store(), { recursive: true });
      const worker = rig.startWorker(extra);
      await worker.waitFor(/connected to/);
      return worker;
    },
    async handQueue() {
      const { Queue } = await import('bullmq');
      const queue = new Queue('cppn-motion-chunks', { connection: { host: '127.0.0.1', port: rig.redis.port } });
      queues.push(queue);
      return queue;
    },
    async local(scene, name) {
      if (!localReference.has(name)) {
        const out = join(rig.dir, 'local', name);
        const result = await runCli(['render', scene, '--out', out, '-q']);
        expect(result.code, result.stderr).toBe(0);
        localReference.set(name, out);
      }
      return localReference.get(name)!;
    },
  };
  return rig;
}
