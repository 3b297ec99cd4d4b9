import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPng, runCli, sha256, tempDir } from './helpers.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

describe('cppn-motion inspect --motion', () => {
  it('charts the change per frame of orbit as keyed as a PNG and names its spikes and stalls', async () => {
    const out = join(dir.path, 'orbit-motion.png');
    const keyed = join(dir.path, 'orbit.yaml');
    writeFileSync(keyed, readFileSync('scenes/orbit.yaml', 'utf8').replace(/^pacing: even$/m, 'pacing: keyframes'));
    const result = await runCli(['inspect', keyed, '--motion', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/orbit: change from frame to frame .* pacing: keyframes/);
    expect(result.stdout).toMatch(/spread \(max \/ median\) \d\.\d\d/);
    expect(result.stdout).toMatch(/spike: frames? \d+/);
    expect(result.stdout).toMatch(/stall: frames \d+–\d+ \(\d\.\d\d–\d\.\d\d s\)/);
    expect(result.stdout).toMatch(/with pacing: even: .* 0 spikes, 0 stalls/);
    const chart = await readPng(out);
    expect(chart.width).toBeGreaterThan(600);
  });

  it('refuses a chart file that is not a .png, exit code 2', async () => {
    const result = await runCli(['inspect', '--motion', 'scenes/orbit.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--motion scenes/orbit.yaml: the chart is written as a .png file');
  });
});

describe('a paced video', () => {
  it('renders the same pixels on 1 and 2 workers', async () => {
    const scene = join(dir.path, 'paced.yaml');
    writeFileSync(scene, readFileSync('scenes/orbit.yaml', 'utf8').replace('size: [512, 512], fps: 30, duration: 8', 'size: [48, 48], fps: 6, duration: 2'));
    const hashes: Record<string, string[]> = {};
    for (const workers of ['1', '2']) {
      const out = join(dir.path, `paced-${workers}`);
      const result = await runCli(['render', scene, '--format', 'png', '--workers', workers, '--out', out, '--quiet']);
      expect(result.code, result.stderr).toBe(0);
      const folder = `${out}-frames`;
      hashes[workers] = await Promise.all(readdirSync(folder).sort().map(async (n) => sha256((await readPng(join(folder, n))).data)));
    }
    expect(hashes['1']).toHaveLength(12);
    expect(hashes['2']).toEqual(hashes['1']);
  });
});

describe('a still without --at', () => {
  it('shows the middle of a moving scene (as the contact sheet does), and --at still chooses', async () => {
    const shot = async (name: string, args: string[]): Promise<string> => {
      const out = join(dir.path, `${name}.png`);
      const result = await runCli(['still', 'scenes/spin.yaml', '--size', '48x48', '--out', out, '--quiet', ...args]);
      expect(result.code, result.stderr).toBe(0);
      return sha256((await readPng(out)).data);
    };
    const plain = await shot('spin-default', []);
    expect(plain).toBe(await shot('spin-middle', ['--at', '3']));
    expect(plain).not.toBe(await shot('spin-start', ['--at', '0']));
  });
});
