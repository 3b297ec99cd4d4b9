/**
 * End-to-end render benchmark: a 512×512, 30 fps, 6 s scene (8 tanh layers
 * of 16, RGB) to MP4 and GIF with all workers. Prints wall time, frames per
 * second, where the time goes (rendering vs encoding) and how busy the cores
 * were. Run with `npm run bench:render`; `npm run bench:render -- mp4` renders
 * the MP4 alone, to see what the GIF adds.
 */
import { availableParallelism } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processRole, sampleTree } from './proc-sampler.js';

// The built code (npm run build comes first), so that the worker threads load
// compiled JavaScript as in a user's render: from the TypeScript source, each
// thread would first start the TypeScript runner.
const built = (path: string): string => new URL(`../dist/${path}`, import.meta.url).href;
const { renderVideo } = (await import(built('render/video.js'))) as typeof import('../src/render/video.js');
const { formats: parseFormats } = (await import(built('scene/options/values.js'))) as typeof import('../src/scene/options/values.js');
const { sceneFromFile, validateSceneData } = (await import(built('scene/index.js'))) as typeof import('../src/scene/index.js');

const scene = validateSceneData({
  name: 'bench',
  output: { size: [512, 512], fps: 30, duration: 6, formats: parseFormats(process.argv[2] ?? 'mp4,gif') },
  network: { inputs: ['x', 'y', 'r', 't'], layers: { depth: 8, width: 16 }, activation: 'tanh', output: { channels: 3, activation: 'sigmoid' }, init: { normal: { std: 1 } } },
  keyframes: [
    { at: 0, seed: 1 },
    { at: 3, seed: 2 },
  ],
});

const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-bench-'));
try {
  const loaded = sceneFromFile(scene, 'bench', dir, 'bench');
  // The sampler runs on this process's main thread: sample lightly (see sampleTree).
  const sampler = sampleTree(process.pid, 100, 1000);
  let lastFrameAt = 0;
  const result = await renderVideo(loaded, { outStem: join(dir, 'bench'), onProgress: (p) => (lastFrameAt = p.elapsedMs) });
  const sample = sampler.stop();
  const cores = availableParallelism();
  const busyIn = (from: number, to: number): number => {
    const inRange = sample.busy.filter((b) => b.atMs >= from && b.atMs <= to);
    return inRange.reduce((sum, b) => sum + b.fraction, 0) / Math.max(1, inRange.length);
  };
  console.log(`end-to-end render: 512x512, 30 fps, 6 s (${result.frames} frames), 8x16 tanh RGB → ${scene.output.formats.join(' + ')}, ${cores} workers`);
  console.log(`  wall time            ${(result.wallMs / 1000).toFixed(2)} s  (${(result.frames / (result.wallMs / 1000)).toFixed(1)} frames/s end to end)`);
  console.log(`  frames phase         ${(lastFrameAt / 1000).toFixed(2)} s  (rendering, with the encoders fed as frames arrive; cores ${(busyIn(0, lastFrameAt) * 100).toFixed(0)} % busy)`);
  console.log(`  finishing phase      ${(result.finishMs / 1000).toFixed(2)} s  (joining ${result.pieces} pieces into each output, checks, commits; cores ${(busyIn(lastFrameAt, result.wallMs) * 100).toFixed(0)} % busy)`);
  const cpu = new Map<string, number>();
  for (const p of sample.peaks.values()) cpu.set(processRole(p.command), (cpu.get(processRole(p.command)) ?? 0) + p.cpuSeconds);
  const total = [...cpu.values()].reduce((a, b) => a + b, 0);
  console.log(`  CPU time by part (total ${total.toFixed(1)} s over ${(result.wallMs / 1000).toFixed(1)} s wall = ${((total / (result.wallMs / 1000) / cores) * 100).toFixed(0)} % of ${cores} cores):`);
  console.log(`    worker rendering (measured in the workers)  ${(result.renderMs / 1000).toFixed(1)} s  ${((result.renderMs / 1000 / total) * 100).toFixed(0)} %`);
  for (const [r, seconds] of cpu) console.log(`    ${r.padEnd(44)} ${seconds.toFixed(1)} s  ${((seconds / total) * 100).toFixed(0)} %`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
