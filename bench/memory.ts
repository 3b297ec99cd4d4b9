/**
 * Peak memory of a render, ffmpeg included, for a short and a long video of
 * the same 256×256 scene (MP4 and GIF): it must not grow with the length.
 * Run with `npm run bench:memory` (after `npm run build`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processRole, sampleTree } from './proc-sampler.js';

const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;

function scene(frames: number): string {
  return `name: memory\noutput: { size: [256, 256], fps: 30, duration: ${frames / 30}, formats: [mp4, gif] }\nnetwork:\n  inputs: [x, y, r, t]\n  layers: { depth: 8, width: 16 }\nkeyframes:\n  - { at: 0, seed: 1 }\n  - { at: ${frames / 60}, seed: 2 }\n`;
}

async function measure(frames: number, dir: string): Promise<void> {
  const file = join(dir, `memory-${frames}.yaml`);
  writeFileSync(file, scene(frames));
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'render', file, '--quiet', '--out', join(dir, `memory-${frames}`)], { stdio: 'inherit' });
  const sampler = sampleTree(child.pid!);
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const sample = sampler.stop();
  if (code !== 0) throw new Error(`render failed with exit code ${code}`);
  const byRole = new Map<string, number>();
  for (const peak of sample.peaks.values()) {
    const r = processRole(peak.command);
    byRole.set(r, Math.max(byRole.get(r) ?? 0, peak.peakKiB));
  }
  console.log(`\n${frames} frames (256x256, mp4 + gif), ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const [r, kib] of byRole) console.log(`  ${r.padEnd(46)} peak ${(kib / 1024).toFixed(1).padStart(6)} MiB`);
  console.log(`  ${'whole tree at one moment'.padEnd(46)} peak ${(sample.peakTreeKiB / 1024).toFixed(1).padStart(6)} MiB`);
}

const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-memory-'));
try {
  for (const frames of [60, 1200]) await measure(frames, dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
