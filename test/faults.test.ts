/**
 * Fault injection: a full disk, a read-only location, odd output paths.
 * Every case checks the exit code, the message, that no temporary file is
 * left, and that what was there before is byte-identical afterwards.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sha256, tempDir, writeScene } from './helpers.js';
import { canMount, MOUNT_SKIP, mountTmpfs, type Mount } from './mounts.js';

export const SCENE = `
name: fault
output: { size: [48, 32], fps: 12, duration: 1, formats: [mp4, gif] }
network:
  inputs: [x, y, r, t]
  layers: { depth: 4, width: 8 }
  output: { channels: 3, activation: sigmoid }
keyframes:
  - { at: 0, seed: 2, zoom: 1 }
  - { at: 0.5, seed: 3, zoom: 1.5 }
`;

/** Every file under `dir` (recursively) with its hash, the disk filler excepted. */
export function snapshot(dir: string, skip: (name: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (name === 'filler' || skip(name)) continue;
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = sha256(readFileSync(path));
    }
  };
  walk(dir);
  return out;
}

/** Temporary outputs (`.name.partial-…`) left anywhere under `dir`. */
export function temporaries(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (/\.partial-/.test(name)) found.push(relative(dir, path));
      else if (statSync(path).isDirectory()) walk(path);
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

let dir: ReturnType<typeof tempDir>;
let scene: string;
beforeAll(() => {
  dir = tempDir();
  scene = writeScene(dir.path, 'fault', SCENE);
});
afterAll(() => dir.remove());

describe.skipIf(!canMount)('a full disk', () => {
  let disk: Mount;
  beforeAll(() => {
    disk = mountTmpfs(2048);
  });
  afterAll(() => disk?.remove());

  for (const format of ['png', 'mp4', 'gif', 'webm']) {
    it(`render --format ${format}: exit 1 naming the full disk, the earlier output intact, no temporary files`, async () => {
      const out = join(disk.path, format, 'x');
      const first = await runCli(['render', scene, '--format', format, '--out', out, '-q']);
      expect(first.code, first.stderr).toBe(0);
      const before = snapshot(disk.path);
      disk.fill(4096);
      try {
        const result = await runCli(['render', scene, '--format', format, '--size', '256x256', '--out', out, '-q']);
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(/disk is full/);
        expect(result.stderr).not.toMatch(/\n\s+at /);
        expect(temporaries(disk.path)).toEqual([]);
        expect(snapshot(disk.path)).toEqual(before);
      } finally {
        disk.unfill();
      }
    });
  }

  it('still: exit 1 naming the full disk, the earlier PNG intact', async () => {
    const out = join(disk.path, 'still', 's.png');
    expect((await runCli(['still', scene, '--out', out, '-q'])).code).toBe(0);
    const before = snapshot(disk.path);
    disk.fill(4096);
    try {
      const result = await runCli(['still', scene, '--size', '512x512', '--out', out, '-q']);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/disk is full/);
      expect(temporaries(disk.path)).toEqual([]);
      expect(snapshot(disk.path)).toEqual(before);
    } finally {
      disk.unfill();
    }
  });

  it('batch: the failed items are reported, exit 1, the earlier GIFs intact, no temporary files', async () => {
    const out = join(disk.path, 'batch');
    const first = await runCli(['batch', scene, '--seeds', '1-2', '--out', out, '-q']);
    expect(first.code, first.stderr).toBe(0);
    const gifs = (): Record<string, string> => Object.fromEntries(Object.entries(snapshot(out)).filter(([file]) => file.endsWith('.gif')));
    const before = gifs();
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(2);
    disk.fill(4096);
    try {
      const result = await runCli(['batch', scene, '--seeds', '1-2', '--size', '256x256', '--force', '--out', out, '-q']);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/disk is full/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(temporaries(disk.path)).toEqual([]);
      expect(gifs()).toEqual(before);
    } finally {
      disk.unfill();
    }
  });

  it('weights export into a file on a full disk: exit 1 with the cause', async () => {
    disk.fill(0);
    try {
      const result = await runCli(['weights', 'export', scene, '--seed', '1'], { stdoutFile: join(disk.path, 'w.json') });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/cannot write the standard output: the disk is full/);
    } finally {
      disk.unfill();
    }
  });
});
if (!canMount) describe('a full disk', () => it.skip(MOUNT_SKIP));

describe('writing to standard output', () => {
  it('weights export > /dev/full: exit 1 with the cause, no stack trace', async () => {
    const result = await runCli(['weights', 'export', scene], { stdoutFile: '/dev/full' });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toBe('error: cannot write the standard output: the disk is full\n');
  });
});
