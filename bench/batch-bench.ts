/**
 * A 12-item series of 256×256, 2 s, 24 fps GIFs through `cppn-motion batch`:
 * wall time, and how busy the cores were from the first frame to the last.
 * Run with `npm run bench:batch`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleTree } from './proc-sampler.js';

const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-batch-bench-'));
try {
  const scene = join(dir, 'series.yaml');
  writeFileSync(
    scene,
    `name: series\noutput: { size: [256, 256], fps: 24, duration: 2, formats: [gif] }\nnetwork:\n  inputs: [x, y, r, t]\n  layers: { depth: 8, width: 16 }\nkeyframes:\n  - { at: 0, zoom: 1 }\n  - { at: 1, zoom: 1.4 }\n`,
  );
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'batch', scene, '--seeds', '1-12', '--out', join(dir, 'out'), '--quiet'], { stdio: 'inherit' });
  const sampler = sampleTree(child.pid!, 100);
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const wall = (performance.now() - started) / 1000;
  const sample = sampler.stop();
  if (code !== 0) throw new Error(`batch failed with exit code ${code}`);
  const cpu = [...sample.peaks.values()].reduce((sum, p) => sum + p.cpuSeconds, 0);
  const cores = availableParallelism();
  console.log(`batch: 12 GIFs of 256x256, 2 s at 24 fps (48 frames each), ${cores} cores`);
  console.log(`  wall time        ${wall.toFixed(1)} s (${((12 * 48) / wall).toFixed(1)} frames/s over the series)`);
  console.log(`  CPU time         ${cpu.toFixed(1)} s = ${((cpu / wall / cores) * 100).toFixed(0)} % of ${cores} cores over the whole run`);
  const perSecond: number[] = [];
  for (const b of sample.busy) {
    const s = Math.floor(b.atMs / 1000);
    perSecond[s] = (perSecond[s] ?? 0) + b.fraction / 10;
  }
  console.log(`  cores busy, second by second: ${perSecond.map((f) => `${Math.round(Math.min(1, f) * 100)}%`).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
