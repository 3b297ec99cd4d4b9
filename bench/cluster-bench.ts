/**
 * Cluster benchmark: what the coordinator costs, how renders and series scale
 * with worker processes, what cutting a video into pieces costs in bytes, and
 * from those an estimate for larger clusters.
 *
 *   npm run bench:cluster                      # everything, sized for a 2-core machine
 *   npm run bench:cluster -- overhead          # the coordinator's CPU per frame against a local render's
 *   npm run bench:cluster -- scaling --workers 1,2 --threads 1
 *   npm run bench:cluster -- growth            # pieces against one piece, per format, on the showcase
 *
 * On a machine with many cores (the figures asked for: 16 cores, workers of 2 threads):
 *   npm run bench:cluster -- scaling --workers 1,2,4,8 --threads 2 --render 1920x1080:10:30 --series 48:512x512:4:30
 *
 * overhead: a 512×512, 6 s, 30 fps render (8 tanh layers of 16, MP4 + GIF),
 *   locally and through Redis with two worker processes of one thread each;
 *   the CPU time of the coordinator's process tree (its ffmpeg children
 *   included, from bash's `times`) per frame, against the local render's.
 * scaling: the same render (--render WxH:seconds:fps, default 512x512:6:30)
 *   and a series (--series N:WxH:seconds:fps, default 48 GIFs of
 *   128x128:2:12), each through 1, 2, … worker processes of --threads
 *   threads, a fresh store every run; wall time, speed-up over one worker,
 *   efficiency = speed-up ÷ workers.
 * growth: scenes/drift.yaml (the showcase) in MP4, GIF, WebM, WebP and APNG,
 *   cut into pieces as every render is, against one piece for the whole video
 *   (a single stream, as renders were coded before pieces).
 *
 * Needs redis-server (Debian's), except for growth. Runs the built CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { outputPath } from '../src/encode/formats/index.js';
import { piecesFor } from '../src/render/piece-plan.js';
import { renderVideo } from '../src/render/video.js';
import { applyOverrides, loadScene, type Format } from '../src/scene/index.js';
import { HAS_REDIS, skipMessage, startRedis, type TestRedis } from '../test/redis-server.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
};
const parts = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const wanted = (part: string): boolean => parts.length === 0 || parts.includes('all') || parts.includes(part);

interface VideoSpec {
  width: number;
  height: number;
  seconds: number;
  fps: number;
}
function videoSpec(text: string): VideoSpec {
  const [size, seconds, fps] = text.split(':');
  const [width, height] = size.split('x').map(Number);
  return { width, height, seconds: Number(seconds), fps: Number(fps) };
}
const renderSpec = videoSpec(flag('render', '512x512:6:30'));
const [seriesItems, ...seriesRest] = flag('series', '48:128x128:2:12').split(':');
const seriesSpec = videoSpec(seriesRest.join(':'));
const workerCounts = flag('workers', '1,2').split(',').map(Number);
const threads = Number(flag('threads', '1'));

const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-cluster-bench-'));

function sceneFile(name: string, spec: VideoSpec, formats: string[]): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `name: ${name}
output: { size: [${spec.width}, ${spec.height}], fps: ${spec.fps}, duration: ${spec.seconds}, formats: [${formats.join(', ')}] }
loop: true
network:
  inputs: [x, y, r, t]
  layers: { depth: 8, width: 16 }
  activation: tanh
  output: { channels: 3, activation: sigmoid }
  init: { normal: { std: 1 } }
keyframes:
  - { at: 0, seed: 1, t: 0 }
  - { at: ${spec.seconds / 2}, seed: 2, t: 1 }
`,
  );
  return path;
}

/** Runs the CLI under bash, whose `times` gives the CPU of the whole process tree (ffmpeg included). */
async function timedCli(cliArgs: string[]): Promise<{ wallS: number; cpuS: number; stderr: string; code: number | null }> {
  const quoted = cliArgs.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const started = performance.now();
  const child = spawn('bash', ['-c', `'${process.execPath}' '${CLI}' ${quoted} 2>"$ERR" >/dev/null; code=$?; times; exit $code`], { env: { ...process.env, ERR: join(dir, 'stderr.txt') } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const wallS = (performance.now() - started) / 1000;
  // `times`: the shell's user and system time, then its children's.
  const line = out.trim().split('\n').pop() ?? '';
  const seconds = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  const { readFileSync } = await import('node:fs');
  return { wallS, cpuS: seconds.reduce((a, b) => a + b, 0), stderr: readFileSync(join(dir, 'stderr.txt'), 'utf8'), code };
}

function startWorkers(url: string, store: string, count: number, threadsEach: number): Array<{ child: ChildProcess; ready: Promise<void> }> {
  return Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [CLI, 'worker', '--redis', url, '--store', store, '--workers', String(threadsEach), '--backend', 'cpu']);
    let log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const ready = (async () => {
      while (!log.includes('connected to')) await sleep(20);
    })();
    return { child, ready };
  });
}

async function stopWorkers(workers: Array<{ child: ChildProcess }>): Promise<void> {
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
}

const s = (x: number): string => `${x.toFixed(2)} s`;

async function overhead(redis: TestRedis): Promise<Costs> {
  const spec = { width: 512, height: 512, seconds: 6, fps: 30 };
  const frames = spec.seconds * spec.fps;
  const scene = sceneFile('overhead', spec, ['mp4', 'gif']);
  const local = await timedCli(['render', scene, '--out', join(dir, 'overhead-local'), '-q']);
  if (local.code !== 0) throw new Error(`local render failed: ${local.stderr}`);
  const store = join(dir, 'overhead-store');
  const workers = startWorkers(redis.url, store, 2, 1);
  await Promise.all(workers.map((w) => w.ready));
  let clustered;
  let tiny;
  try {
    clustered = await timedCli(['render', scene, '--redis', redis.url, '--store', store, '--out', join(dir, 'overhead-cluster'), '-q']);
    if (clustered.code !== 0) throw new Error(`clustered render failed: ${clustered.stderr}`);
    // What a coordinator costs whatever the video: starting Node, loading the queue's libraries, connecting.
    const one = sceneFile('one-frame', { width: 16, height: 16, seconds: 1 / 30, fps: 30 }, ['mp4', 'gif']);
    tiny = await timedCli(['render', one, '--redis', redis.url, '--store', store, '--out', join(dir, 'overhead-tiny'), '-q']);
  } finally {
    await stopWorkers(workers);
  }
  const coordinatorPerFrameMs = (clustered.cpuS * 1000) / frames;
  const localPerFrameMs = (local.cpuS * 1000) / frames;
  console.log(`\noverhead: 512x512, 6 s at 30 fps (${frames} frames, ${piecesFor(frames, ['mp4', 'gif']).length} pieces), 8x16 tanh RGB → mp4 + gif, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'})`);
  console.log(`  local render:        wall ${s(local.wallS)}, CPU ${s(local.cpuS)} (${localPerFrameMs.toFixed(1)} ms a frame)`);
  console.log(`  clustered, 2 worker processes of 1 thread: wall ${s(clustered.wallS)}; the coordinator's CPU ${s(clustered.cpuS)} (${coordinatorPerFrameMs.toFixed(2)} ms a frame)`);
  console.log(`  the coordinator's CPU against the local render's: ${((coordinatorPerFrameMs / localPerFrameMs) * 100).toFixed(1)} %`);
  console.log(`  of which fixed (a 1-frame render through the queue: start-up, libraries, connecting): ${s(tiny.cpuS)}; without it ${((((clustered.cpuS - tiny.cpuS) * 1000) / frames / localPerFrameMs) * 100).toFixed(1)} %`);
  const outputBytesPerFrame = (statSync(join(dir, 'overhead-cluster.mp4')).size + statSync(join(dir, 'overhead-cluster.gif')).size) / frames;
  return { coordinatorPerFrameMs: ((clustered.cpuS - tiny.cpuS) * 1000) / frames, localPerFrameMs, fixedS: tiny.cpuS, outputBytesPerFrame };
}

/** Returns the coordinator's CPU per series item (beyond its start-up) in the run with the most workers. */
async function scaling(redis: TestRedis): Promise<number> {
  const renderScene = sceneFile('scaling', renderSpec, ['mp4', 'gif']);
  const seriesScene = sceneFile('series', seriesSpec, ['gif']);
  const frames = Math.round(renderSpec.seconds * renderSpec.fps);
  console.log(`\nscaling: worker processes of ${threads} thread${threads === 1 ? '' : 's'} each, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), Redis and the store on this machine`);
  console.log(`  render: ${renderSpec.width}x${renderSpec.height}, ${renderSpec.seconds} s at ${renderSpec.fps} fps (${frames} frames, ${piecesFor(frames, ['mp4', 'gif']).length} pieces) → mp4 + gif`);
  console.log(`  series: ${seriesItems} GIFs of ${seriesSpec.width}x${seriesSpec.height}, ${seriesSpec.seconds} s at ${seriesSpec.fps} fps, each sent to one worker whole`);
  const results: Array<{ workers: number; render: number; series: number; seriesCpu: number }> = [];
  for (const count of workerCounts) {
    const store = join(dir, `scaling-store-${count}`);
    const workers = startWorkers(redis.url, store, count, threads);
    await Promise.all(workers.map((w) => w.ready));
    try {
      const render = await timedCli(['render', renderScene, '--redis', redis.url, '--store', store, '--out', join(dir, `scaling-${count}`), '-q']);
      if (render.code !== 0) throw new Error(`render on ${count} workers failed: ${render.stderr}`);
      const series = await timedCli(['batch', seriesScene, '--seeds', `1-${seriesItems}`, '--redis', redis.url, '--store', store, '--out', join(dir, `series-${count}`), '-q']);
      if (series.code !== 0) throw new Error(`series on ${count} workers failed: ${series.stderr}`);
      results.push({ workers: count, render: render.wallS, series: series.wallS, seriesCpu: series.cpuS });
      console.log(`  ${String(count).padStart(2)} worker${count === 1 ? ' ' : 's'}: render ${s(render.wallS)} (the coordinator's CPU ${s(render.cpuS)}), series ${s(series.wallS)} (the coordinator's CPU ${s(series.cpuS)})`);
    } finally {
      await stopWorkers(workers);
      rmSync(store, { recursive: true, force: true });
    }
  }
  const base = results.find((r) => r.workers === 1) ?? results[0];
  console.log('  workers | render: speed-up, efficiency | series: speed-up, efficiency');
  for (const r of results) {
    const n = r.workers / base.workers;
    console.log(`  ${String(r.workers).padStart(7)} | ${(base.render / r.render).toFixed(2)}×, ${(base.render / r.render / n).toFixed(2)} | ${(base.series / r.series).toFixed(2)}×, ${(base.series / r.series / n).toFixed(2)}`);
  }
  const last = results[results.length - 1];
  // The series' coordinator also draws the contact sheet; what remains per item is waiting and placing.
  return (last.seriesCpu * 1000) / Number(seriesItems);
}

async function growth(): Promise<void> {
  const showcase = loadScene(join(ROOT, 'scenes', 'drift.yaml'));
  const frames = showcase.model.timeline.frameCount;
  const size = (path: string): number => (statSync(path).isDirectory() ? readdirSync(path).reduce((sum, f) => sum + statSync(join(path, f)).size, 0) : statSync(path).size);
  console.log(`\nsize growth: scenes/drift.yaml (${showcase.model.width}x${showcase.model.height}, ${frames} frames at ${showcase.scene.output.fps} fps), cut into pieces against one piece, ${availableParallelism()} cores`);
  // The default formats together, as a render makes them; the others each alone (a WebM asks for longer pieces, which would lengthen every format's).
  for (const formats of [showcase.scene.output.formats, ['webm'], ['webp'], ['apng']] as Format[][]) {
    const loaded = applyOverrides(showcase, { formats });
    const name = formats.join('+');
    const pieced = await renderVideo(loaded, { outStem: join(dir, `growth-pieces-${name}`, 'drift') });
    const single = await renderVideo(loaded, { outStem: join(dir, `growth-single-${name}`, 'drift'), pieces: [{ start: 0, end: frames }] });
    console.log(`  ${name}: ${pieced.pieces} pieces; wall ${s(pieced.wallMs / 1000)} in pieces, ${s(single.wallMs / 1000)} in one`);
    for (const format of formats) {
      const a = size(outputPath(join(dir, `growth-pieces-${name}`, 'drift'), format));
      const b = size(outputPath(join(dir, `growth-single-${name}`, 'drift'), format));
      console.log(`    ${format.padEnd(5)} ${(a / 1e6).toFixed(3)} MB against ${(b / 1e6).toFixed(3)} MB: ${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(2)} %`);
    }
  }
}

interface Costs {
  /** CPU of a local render per 512² frame (rendering and coding, every thread and ffmpeg). */
  localPerFrameMs: number;
  /** The coordinator's CPU per 512² frame of a clustered render, beyond its fixed cost (joining, checking, waiting). */
  coordinatorPerFrameMs: number;
  /** The coordinator's CPU whatever the video (start-up, libraries, connecting). */
  fixedS: number;
  /** Bytes of MP4 + GIF per 512² frame: what the store carries, in from the workers and out to the coordinator. */
  outputBytesPerFrame: number;
}

/** The estimate for larger clusters, from the costs measured above. */
function estimate(costs: Costs, coordinatorPerItemMs: number | undefined): void {
  const cores = availableParallelism();
  console.log(`\nestimate (each worker a machine like this one, ${cores} cores, coding one piece or item at a time at the local render's CPU per frame):`);
  const scale1080 = (1920 * 1080) / (512 * 512);
  const frames = 3600;
  const pieces = piecesFor(frames, ['mp4', 'gif']);
  const pieceS = ((pieces[0].end - pieces[0].start) * costs.localPerFrameMs * scale1080) / 1000 / cores;
  const joinS = (costs.coordinatorPerFrameMs * scale1080 * frames) / 1000 + costs.fixedS;
  const storeMB = (costs.outputBytesPerFrame * scale1080 * frames) / 1e6;
  console.log(`  1920x1080, 60 s at 60 fps, MP4 + GIF: ${pieces.length} pieces of ${pieces[0].end - pieces[0].start} frames, about ${pieceS.toFixed(0)} s each on one worker; the coordinator's own work about ${joinS.toFixed(0)} s; the store carries about ${storeMB.toFixed(0)} MB each way`);
  for (const n of [1, 10, 100]) {
    const rounds = Math.ceil(pieces.length / n);
    const wall = rounds * pieceS + joinS;
    const limit = n >= pieces.length ? `the length of one piece (${pieces.length} pieces for ${n} workers) and the join` : 'the workers';
    console.log(`    ${String(n).padStart(3)} worker${n === 1 ? ' ' : 's'}: about ${(wall / 60).toFixed(1)} min (${rounds} piece${rounds === 1 ? '' : 's'} a worker); limited by ${limit}`);
  }
  const items = 500;
  const itemS = (180 * costs.localPerFrameMs) / 1000 / cores;
  const perItem = (coordinatorPerItemMs ?? costs.coordinatorPerFrameMs * 180) / 1000;
  console.log(`  a series of ${items} items, 512x512, 6 s at 30 fps, MP4 + GIF: about ${itemS.toFixed(0)} s an item on one worker; the coordinator about ${(perItem * 1000).toFixed(0)} ms of CPU an item (waiting, placing the outputs, the manifest)`);
  for (const n of [1, 10, 100]) {
    const rounds = Math.ceil(items / n);
    const wall = Math.max(rounds * itemS, items * perItem) + itemS + costs.fixedS;
    const limit = rounds * itemS >= items * perItem ? 'the workers' : 'the coordinator (placing outputs, writing the manifest)';
    console.log(`    ${String(n).padStart(3)} worker${n === 1 ? ' ' : 's'}: about ${(wall / 60).toFixed(1)} min; limited by ${limit}`);
  }
}

try {
  if (wanted('growth')) await growth();
  if (wanted('overhead') || wanted('scaling')) {
    if (!HAS_REDIS) console.log(skipMessage('the cluster benchmark (overhead, scaling)'));
    else {
      const redis = await startRedis();
      try {
        const costs = wanted('overhead') ? await overhead(redis) : undefined;
        const perItem = wanted('scaling') ? await scaling(redis) : undefined;
        if (costs) estimate(costs, perItem);
      } finally {
        await redis.stop();
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// The render pools and GIF threads of the in-process renders (growth) may keep the event loop alive a moment; the figures are printed.
process.exit(0);
