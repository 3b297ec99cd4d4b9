/**
 * Cluster benchmark: the overhead of rendering through the queue, and what a
 * cluster could do on paper.
 *
 * 1. The same 512×512, 30 fps, 6 s render (8 tanh layers of 16, MP4 + GIF)
 *    locally (one thread per core) and through Redis by two worker processes
 *    on this machine (one thread each), twice each, alternating.
 * 2. Per-frame costs measured on this machine: rendering a frame on one
 *    thread, writing and reading it as part of a chunk, and the coordinator's
 *    encoding (MP4 + GIF from frames already rendered).
 * 3. From those, expected wall times for a 1920×1080, 60 s, 60 fps video and
 *    a 500-item series on 1, 10 and 100 workers (each a machine like this
 *    one), and which part becomes the bottleneck.
 *
 * Needs redis-server. Run with `npm run bench:cluster`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chunkFrames, createClusterBackend, createDirectoryStore } from '../src/cluster/index.js';
import type { FrameBackend, RenderedUnit } from '../src/render/frame-backend.js';
import { FrameRenderer } from '../src/render/frame-renderer.js';
import { renderVideo } from '../src/render/video.js';
import { sceneFromFile, validateSceneData, type LoadedScene } from '../src/scene/index.js';
import { HAS_REDIS, skipMessage, startRedis } from '../test/redis-server.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');

const scene = validateSceneData({
  name: 'bench',
  output: { size: [512, 512], fps: 30, duration: 6, formats: ['mp4', 'gif'] },
  network: { inputs: ['x', 'y', 'r', 't'], layers: { depth: 8, width: 16 }, activation: 'tanh', output: { channels: 3, activation: 'sigmoid' }, init: { normal: { std: 1 } } },
  keyframes: [
    { at: 0, seed: 1 },
    { at: 3, seed: 2 },
  ],
});

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function duration(s: number): string {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function startWorker(url: string, store: string): { child: ChildProcess; log: () => string; ready: Promise<void> } {
  const child = spawn(process.execPath, [CLI, 'worker', '--redis', url, '--store', store, '--workers', '1']);
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const ready = (async () => {
    while (!log.includes('connected to')) await sleep(20);
  })();
  return { child, log: () => log, ready };
}

/** A backend that hands out frames rendered beforehand: what is left of a render is the encoders' time. */
function replayBackend(frames: Uint8Array[]): FrameBackend {
  return {
    description: 'replay',
    itemConcurrency: 1,
    plan: () => ({ unitFrames: 1, window: 4 }),
    render: async (_l, range, context): Promise<RenderedUnit> => {
      context.onFrames(1);
      return { renderMs: 0, frames: async function* () { yield frames[range.start % frames.length]; }, release: async () => undefined };
    },
    activeWorkers: () => 0,
    picture: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
  };
}

async function perFrameCosts(loaded: LoadedScene, dir: string): Promise<{ renderMs: number; writeMs: number; readMs: number; chunkBytesPerFrame: number; encodeMs: number; samples: Uint8Array[] }> {
  const renderer = new FrameRenderer(loaded.scene, loaded.library);
  const samples: Uint8Array[] = [];
  renderer.renderFrame({ index: 0 });
  let started = performance.now();
  for (let i = 0; i < 12; i++) samples.push(renderer.renderFrame({ index: i * 15 }));
  const renderMs = (performance.now() - started) / samples.length;

  const store = createDirectoryStore(join(dir, 'micro-store'));
  const header = { sceneHash: '0123456789abcdef', start: 0, end: samples.length, width: 512, height: 512 };
  started = performance.now();
  const writer = await store.create('0123456789abcdef/0-12', header);
  for (const frame of samples) await writer.write(frame);
  await writer.commit();
  const writeMs = (performance.now() - started) / samples.length;
  const { statSync } = await import('node:fs');
  const chunkBytesPerFrame = statSync(join(dir, 'micro-store', '0123456789abcdef', '0-12.chunk')).size / samples.length;
  started = performance.now();
  for await (const _frame of store.read('0123456789abcdef/0-12', header)) void _frame;
  const readMs = (performance.now() - started) / samples.length;

  const replay = await renderVideo(loaded, { backend: replayBackend(samples), outStem: join(dir, 'replay') });
  const encodeMs = replay.wallMs / replay.frames;
  return { renderMs, writeMs, readMs, chunkBytesPerFrame, encodeMs, samples };
}

if (!HAS_REDIS) {
  console.log(skipMessage('the cluster benchmark'));
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-cluster-bench-'));
const redis = await startRedis();
const workers: Array<ReturnType<typeof startWorker>> = [];
try {
  const loaded = sceneFromFile(scene, 'bench', dir, 'bench');
  const frames = loaded.model.timeline.frameCount;
  const store = join(dir, 'store');
  workers.push(startWorker(redis.url, store), startWorker(redis.url, store));
  await Promise.all(workers.map((w) => w.ready));
  const backend = await createClusterBackend({ redisUrl: redis.url, store: createDirectoryStore(store) });
  const local: number[] = [];
  const cluster: number[] = [];
  try {
    for (let round = 0; round < 2; round++) {
      local.push((await renderVideo(loaded, { outStem: join(dir, `local-${round}`) })).wallMs);
      console.log(`  round ${round + 1}: local ${seconds(local[round])}`);
      cluster.push((await renderVideo(loaded, { outStem: join(dir, `cluster-${round}`), backend })).wallMs);
      console.log(`  round ${round + 1}: through Redis ${seconds(cluster[round])}`);
    }
  } finally {
    await backend.close();
  }
  // What a chunk costs beyond its frames (queue round trip, polling, one file):
  // the same number of chunks with frames so small that rendering is free.
  const tiny = sceneFromFile(validateSceneData({ ...scene, name: 'tiny', output: { ...scene.output, size: [8, 8], formats: ['mp4'] } }), 'tiny', dir, 'tiny');
  const tinyBackend = await createClusterBackend({ redisUrl: redis.url, store: createDirectoryStore(store) });
  let chunkOverheadMs: number;
  try {
    const tinyRun = await renderVideo(tiny, { outStem: join(dir, 'tiny'), backend: tinyBackend });
    // Two workers take chunks side by side: each chunk holds one of them this long.
    chunkOverheadMs = (tinyRun.wallMs * 2) / Math.ceil(frames / chunkFrames(frames));
  } finally {
    await tinyBackend.close();
  }
  const best = (xs: number[]): number => Math.min(...xs);
  const chunks = Math.ceil(frames / chunkFrames(frames));
  const chunkTimes = workers.flatMap((w) => [...w.log().matchAll(/done in ([\d.]+) s \((\d+) frames\)/g)].map((m) => Number(m[1]) / Number(m[2])));
  const cores = availableParallelism();
  console.log(`cluster overhead: 512x512, 30 fps, 6 s (${frames} frames, ${chunks} chunks of ${chunkFrames(frames)}), 8x16 tanh RGB → mp4 + gif, ${cores} cores`);
  console.log(`  local, ${cores} threads                       ${local.map(seconds).join(', ')}`);
  console.log(`  through Redis, 2 worker processes × 1 thread  ${cluster.map(seconds).join(', ')}`);
  console.log(`  overhead (best of each)                       ${(((best(cluster) - best(local)) / best(local)) * 100).toFixed(1)} %`);
  console.log(`  cost of a chunk beyond its frames (queue, polling, file; measured with 8x8 frames) ${chunkOverheadMs.toFixed(0)} ms`);
  console.log(`  per frame inside a worker's chunk (wall, 1 thread, two workers sharing ${cores} cores): ${(chunkTimes.reduce((a, b) => a + b, 0) / chunkTimes.length * 1000).toFixed(0)} ms`);

  const costs = await perFrameCosts(loaded, dir);
  console.log(`\nper-frame costs at 512x512 on this machine (one thread each):`);
  console.log(`  render a frame                 ${costs.renderMs.toFixed(1)} ms`);
  console.log(`  write it into a chunk (gzip 1) ${costs.writeMs.toFixed(1)} ms, ${(costs.chunkBytesPerFrame / 1024).toFixed(0)} KB (raw ${512 * 512 * 4 / 1024} KB)`);
  console.log(`  read it back from the chunk    ${costs.readMs.toFixed(1)} ms`);
  console.log(`  encode it, mp4 + gif (coordinator, whole machine) ${costs.encodeMs.toFixed(1)} ms`);

  // On paper: costs grow with the pixel count; a worker is a machine like this one.
  const paper = (label: string, pixels: number, totalFrames: number): void => {
    const scale = pixels / (512 * 512);
    // A worker's time per frame: rendering, writing, and its share of the chunk's fixed cost.
    const renderS = ((costs.renderMs + costs.writeMs) * scale + chunkOverheadMs / chunkFrames(totalFrames)) / 1000;
    const coordinatorFps = 1000 / ((costs.encodeMs + costs.readMs) * scale);
    const storeMBps = (fps: number): number => (fps * costs.chunkBytesPerFrame * scale) / 1e6;
    console.log(`\n${label}: ${totalFrames.toLocaleString('en')} frames; the coordinator reads and encodes at most ${coordinatorFps.toFixed(1)} frames/s`);
    for (const n of [1, 10, 100]) {
      const renderFps = (n * cores) / renderS;
      const fps = Math.min(renderFps, coordinatorFps);
      const bottleneck = renderFps < coordinatorFps ? 'workers' : 'coordinator (reading chunks, encoding)';
      console.log(`  ${String(n).padStart(3)} worker${n === 1 ? ' ' : 's'}: ${duration(totalFrames / fps).padStart(8)}  (${fps.toFixed(1)} frames/s; limited by the ${bottleneck}; store traffic ${storeMBps(fps).toFixed(1)} MB/s in and out)`);
    }
  };
  paper('1920x1080, 60 s at 60 fps', 1920 * 1080, 3600);
  paper('a series of 500 items, each 512x512, 6 s at 30 fps', 512 * 512, 500 * 180);
  console.log('\nnotes: the coordinator encodes every output itself, so its rate is the ceiling; a series encodes several items at once');
  console.log('(one ffmpeg per format per item), so a coordinator with more cores raises that ceiling roughly in proportion.');
} finally {
  // Workers first, while Redis is still there for them to say goodbye to.
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((done) => {
          if (w.child.exitCode !== null) return done();
          w.child.once('exit', () => done());
          w.child.kill('SIGTERM');
        }),
    ),
  );
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
// Something (not yet identified) keeps the event loop alive after the cleanup above; the figures are printed, so end here.
process.exit(0);
