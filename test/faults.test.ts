/**
 * Fault injection: a full disk, a read-only location, odd output paths.
 * Every case checks the exit code, the message, that no temporary file is
 * left, and that what was there before is byte-identical afterwards.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPng, ROOT, runCli, sha256, smallScene, snapshot, temporaries, tempDir, writeScene } from './helpers.js';
import { canMount, MOUNT_SKIP, mountTmpfs, type Mount } from './mounts.js';
import { startPreview } from './preview-helpers.js';
import { FULL_TIER_ONLY, representative } from './tier.js';
import { deflateBomb, gifWithComment, pngWithLyingText, pngWithText, riffWithChunk, runCliWithin, storedScene } from './stored-files.js';

const SCENE = smallScene('fault');
const ROOT_SCENES = join(ROOT, 'scenes');

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

  // The quick tier: a video through ffmpeg and the GIF through our own coder.
  for (const [format, options] of representative(['png', 'mp4', 'gif', 'webm', 'webp', 'apng'], ['mp4', 'gif'])) {
    it(`render --format ${format}: exit 1 naming the full disk, the earlier output intact, no temporary files`, options, async () => {
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

  // Full tier: a full disk under render is checked above, through the same atomic output.
  it('still: exit 1 naming the full disk, the earlier PNG intact', FULL_TIER_ONLY, async () => {
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

  // Full tier: a full disk under render is checked above; failed items in batch.test.ts.
  it('batch: the failed items are reported, exit 1, the earlier GIFs intact, no temporary files', FULL_TIER_ONLY, async () => {
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

  // Full tier: weights export > /dev/full is checked below.
  it('weights export into a file on a full disk: exit 1 with the cause', FULL_TIER_ONLY, async () => {
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

describe('output paths', () => {
  it('never replaces a device node, a pipe or a link: exit 2, the node left as it was', async () => {
    const { execFileSync } = await import('node:child_process');
    const { lstatSync, symlinkSync, writeFileSync } = await import('node:fs');
    const node = join(dir.path, 'devnull');
    let madeDevice = true;
    try {
      execFileSync('mknod', [node, 'c', '1', '3'], { stdio: 'ignore' });
    } catch {
      // Not allowed here (not root): a named pipe is another non-regular file anyone can make.
      execFileSync('mkfifo', [node]);
      madeDevice = false;
    }
    for (const args of [['still', scene, '--out', node], ['render', scene, '--format', 'gif', '--out', `${node}.gif`]]) {
      if (args[0] === 'render') execFileSync(madeDevice ? 'mknod' : 'mkfifo', madeDevice ? [`${node}.gif`, 'c', '1', '3'] : [`${node}.gif`]);
      const result = await runCli([...args, '-q']);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/is a (device|pipe), not a regular file; outputs replace only regular files/);
      expect(lstatSync(args[args.length - 1]).isFile()).toBe(false);
    }
    writeFileSync(join(dir.path, 'target.png'), 'keep');
    symlinkSync(join(dir.path, 'target.png'), join(dir.path, 'link.png'));
    const link = await runCli(['still', scene, '--out', join(dir.path, 'link.png'), '-q']);
    expect(link.code).toBe(2);
    expect(link.stderr).toContain('is a symbolic link, not a regular file');
    expect(readFileSync(join(dir.path, 'target.png'), 'utf8')).toBe('keep');
    expect(temporaries(dir.path)).toEqual([]);
  });

  it('--from never replaces its source, not even when --out names it; by default the new file gets the size in its name', async () => {
    const work = join(dir.path, 'from');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(work);
    const scenePath = writeScene(work, 'fault', SCENE);
    expect((await runCli(['render', scenePath, '--format', 'gif', '-q'], { cwd: work })).code).toBe(0);
    expect((await runCli(['still', scenePath, '-q'], { cwd: work })).code).toBe(0);
    const before = snapshot(join(work, 'output'));
    const render = await runCli(['render', '--from', 'output/fault.gif', '--size', '32x24', '--format', 'gif'], { cwd: work });
    expect(render.code, render.stderr).toBe(0);
    expect(render.stderr).toContain('wrote output/fault-32x24.gif');
    const still = await runCli(['still', '--from', 'output/fault.png'], { cwd: work });
    expect(still.code, still.stderr).toBe(0);
    expect(still.stderr).toContain('wrote output/fault-48x32.png');
    const after = snapshot(join(work, 'output'));
    expect(after['fault.gif']).toBe(before['fault.gif']);
    expect(after['fault.png']).toBe(before['fault.png']);
    // Named explicitly, the source is an input all the same: refused, left as it was.
    const explicit = await runCli(['still', '--from', 'output/fault.png', '--size', '24x16', '--out', 'output/fault.png', '-q'], { cwd: work });
    expect(explicit.code, explicit.stderr).toBe(2);
    expect(explicit.stderr).toBe('error: output/fault.png is the --from file (output/fault.png) that this command reads; an output never replaces an input\nhint: choose another --out\n');
    expect(snapshot(join(work, 'output'))['fault.png']).toBe(before['fault.png']);
  });

  it('no command writes over one of its own inputs, however the path is spelled (a link, "..", "./")', async () => {
    const { mkdirSync, symlinkSync } = await import('node:fs');
    const work = join(dir.path, 'inputs');
    mkdirSync(work);
    symlinkSync(work, join(dir.path, 'inputs-link'));
    const link = (name: string): string => join(dir.path, 'inputs-link', name);
    const scenePath = writeScene(work, 'fault', SCENE);
    expect((await runCli(['render', scenePath, '--format', 'gif', '--out', join(work, 'fault'), '-q'])).code).toBe(0);
    expect((await runCli(['still', scenePath, '--out', join(work, 'fault.png'), '-q'])).code).toBe(0);
    const weights = join(work, 'w.json');
    expect((await runCli(['weights', 'export', scenePath], { stdoutFile: weights })).code).toBe(0);
    // Weights files may have any name: here ones that a render's or a comparison's output could take.
    const { copyFileSync } = await import('node:fs');
    copyFileSync(weights, join(work, 'w.gif'));
    copyFileSync(weights, join(work, 'w.png'));
    const withWeights = (name: string, file: string): string => writeScene(work, name, `${SCENE.replace('name: fault', `name: ${name}`).replace(/keyframes:[\s\S]*$/, '')}weights: ${file}\n`);
    const weighted = withWeights('weighted', 'w.json');
    const gifWeights = withWeights('gif-weights', 'w.gif');
    const pngWeights = withWeights('png-weights', 'w.png');
    // A scene file without an extension (still --out may name a file without one), and one named as a series' manifest, in that series' folder.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(work, 'plain'), SCENE);
    mkdirSync(join(work, 'series', 'fault'), { recursive: true });
    writeFileSync(join(work, 'series', 'fault', 'manifest.json'), SCENE);
    const cases: Array<[string, string[], RegExp]> = [
      ['render --from, the source by its stem', ['render', '--from', join(work, 'fault.gif'), '--format', 'gif', '--out', join(work, 'sub', '..', 'fault')], /fault\.gif is the --from file/],
      ['render over a weights file', ['render', gifWeights, '--format', 'gif', '--out', link('w')], /w\.gif is a weights file the scene reads/],
      ['still --from, through a link', ['still', '--from', join(work, 'fault.png'), '--out', link('fault.png')], /fault\.png is the --from file/],
      ['still over its scene file', ['still', link('plain'), '--out', join(work, 'sub', '..', 'plain')], /plain is the scene file/],
      ['inspect --maps over its --from file', ['inspect', '--from', join(work, 'fault.png'), '--maps', join(work, '.', 'fault.png')], /fault\.png is the --from file/],
      ['inspect --motion --out over its --from file', ['inspect', '--from', join(work, 'fault.png'), '--motion', '--out', link('fault.png')], /fault\.png is the --from file/],
      ['weights export over the weights the scene reads', ['weights', 'export', weighted, '--out', link('w.json')], /w\.json is a weights file the scene reads/],
      ['compare over a weights file', ['compare', scenePath, pngWeights, '--out', link('w.png')], /w\.png is a weights file the scene reads/],
      ['batch over its scene file', ['batch', join(work, 'series', 'fault', 'manifest.json'), '--seeds', '1', '--out', link('series')], /manifest\.json is the scene file/],
    ];
    for (const [what, args, message] of cases) {
      const before = snapshot(work);
      const result = await runCli(args);
      expect(result.code, `${what}: ${result.stderr}`).toBe(2);
      expect(result.stderr, what).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(snapshot(work), what).toEqual(before);
      expect(temporaries(work)).toEqual([]);
    }
  });

  it('a 240-character name is written; a longer one than the file system takes is refused with exit 2', async () => {
    const long = 'a'.repeat(240);
    const ok = await runCli(['render', scene, '--format', 'gif', '--out', join(dir.path, 'long', long), '-q']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readdirSync(join(dir.path, 'long'))).toEqual([`${long}.gif`]);
    const tooLong = await runCli(['still', scene, '--out', join(dir.path, 'long', `${'b'.repeat(300)}.png`), '-q']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain('the name is longer than 255 bytes');
    expect(tooLong.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(join(dir.path, 'long'))).toEqual([`${long}.gif`]);
  });

  it('% in an output name is a plain character, and --out folder/ names the file after the scene', async () => {
    const percent = await runCli(['render', scene, '--format', 'gif,png,mp4', '--out', join(dir.path, 'pc', '100%'), '-q']);
    expect(percent.code, percent.stderr).toBe(0);
    expect(readdirSync(join(dir.path, 'pc')).sort()).toEqual(['100%-frames', '100%.gif', '100%.mp4']);
    expect(readdirSync(join(dir.path, 'pc', '100%-frames'))).toHaveLength(12);
    const folder = await runCli(['render', scene, '--format', 'gif', '--out', `${join(dir.path, 'newdir')}/`, '-q']);
    expect(folder.code, folder.stderr).toBe(0);
    expect(readdirSync(join(dir.path, 'newdir'))).toEqual(['fault.gif']);
  });

  it('% in the output folder\'s name is a plain character too: PNG frames into a folder named 50%', async () => {
    const result = await runCli(['render', scene, '--format', 'png,mp4', '--out', join(dir.path, '50%', 'x'), '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(join(dir.path, '50%')).sort()).toEqual(['x-frames', 'x.mp4']);
    expect(readdirSync(join(dir.path, '50%', 'x-frames'))).toHaveLength(12);
    expect((await readPng(join(dir.path, '50%', 'x-frames', 'frame-00011.png'))).width).toBeGreaterThan(0);
  });

  it('temporary files left by a killed process are removed by the next run into that folder', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const folder = join(dir.path, 'stale');
    mkdirSync(join(folder, '.fault.partial-999999-abcdef.gif.work'), { recursive: true });
    writeFileSync(join(folder, '.fault.partial-999999-abcdef.gif.work', 'frames-0000.mkv'), 'x');
    writeFileSync(join(folder, '.fault.partial-999999-abc123.mp4'), 'x');
    // One that belongs to a live process (this one) stays.
    writeFileSync(join(folder, `.other.partial-${process.pid}-aaaaaa.gif`), 'x');
    const result = await runCli(['render', scene, '--format', 'gif', '--out', join(folder, 'fault'), '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(folder).sort()).toEqual([`.other.partial-${process.pid}-aaaaaa.gif`, 'fault.gif']);
  });
  it('on a folder shared between machines, another machine\'s temporary files are left to it, whatever its process number', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { machineId } = await import('../src/files/index.js');
    const folder = join(dir.path, 'shared-folder');
    mkdirSync(folder, { recursive: true });
    const other = machineId() === 'abcdef01' ? 'abcdef02' : 'abcdef01';
    // Process 999999 is not alive here, but the file is another machine's: it may be alive there.
    writeFileSync(join(folder, `.fault.partial-${other}-999999-abcdef.gif`), 'x');
    writeFileSync(join(folder, `.fault.partial-${machineId()}-999999-abcdef.mp4`), 'x');
    const result = await runCli(['render', scene, '--format', 'gif', '--out', join(folder, 'fault'), '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(folder).sort()).toEqual([`.fault.partial-${other}-999999-abcdef.gif`, 'fault.gif']);
  });
});

describe('batch folders', () => {
  it('a second batch into the same folder is refused while the first runs; both batches end up in the manifest', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('./helpers.js');
    const out = join(dir.path, 'locked');
    const first = spawn(process.execPath, [CLI, 'batch', scene, '--seeds', '1-3', '--duration', '30', '--size', '96x96', '--out', out]);
    let firstErr = '';
    const started = new Promise<void>((ready) => first.stderr.on('data', (d: Buffer) => ((firstErr += d.toString()), /items → /.test(firstErr) && ready())));
    const firstDone = new Promise<number | null>((done) => first.on('close', done));
    await started;
    const second = await runCli(['batch', scene, '--seeds', '7', '--out', out, '-q']);
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr).toMatch(/is being written by another batch \(process \d+\); wait for it to finish/);
    expect(await firstDone, firstErr).toBe(0);
    // The same series (same settings) continues; another one would be refused (see batch.test.ts).
    const third = await runCli(['batch', scene, '--seeds', '7', '--duration', '30', '--size', '96x96', '--out', out, '-q']);
    expect(third.code, third.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'fault', 'manifest.json'), 'utf8')) as { items: Array<{ name: string }> };
    expect(manifest.items.map((i) => i.name).sort()).toEqual(['fault-seed-01', 'fault-seed-02', 'fault-seed-03', 'fault-seed-07']);
    expect(readdirSync(join(out, 'fault')).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a lock left by a killed batch is taken over; a damaged manifest only means its items render again', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const folder = join(dir.path, 'stale-lock', 'fault');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, '.cppn-motion.lock'), '999999\n');
    writeFileSync(join(folder, 'manifest.json'), '{"items":[null, 3, {"name": "x"}]}');
    const result = await runCli(['batch', scene, '--seeds', '1', '--out', join(dir.path, 'stale-lock'), '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { items: Array<{ name: string }> };
    expect(manifest.items.map((i) => i.name)).toEqual(['fault-seed-01']);
    expect(readdirSync(folder).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a lock held from another machine (a shared folder) is not taken over by process number, and the message says how to clear it', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { machineId } = await import('../src/files/index.js');
    const folder = join(dir.path, 'foreign-lock', 'fault');
    mkdirSync(folder, { recursive: true });
    const other = machineId() === 'abcdef01' ? 'abcdef02' : 'abcdef01';
    writeFileSync(join(folder, '.cppn-motion.lock'), `${other} 999999\n`);
    const result = await runCli(['batch', scene, '--seeds', '1', '--out', join(dir.path, 'foreign-lock'), '-q']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`is being written by a batch on another machine \\(${other}, process 999999\\)[^]*hint: if no batch runs there any more, remove .*\\.cppn-motion\\.lock`));
    expect(readdirSync(folder)).toEqual(['.cppn-motion.lock']);
  });
});

describe.skipIf(!canMount)('a read-only location', () => {
  let disk: Mount;
  beforeAll(async () => {
    disk = mountTmpfs(2048);
    const first = await runCli(['render', scene, '--format', 'gif,png', '--out', join(disk.path, 'x'), '-q']);
    expect(first.code, first.stderr).toBe(0);
    disk.readOnly();
  });
  afterAll(() => disk?.remove());

  const cases: Array<[string, string[]]> = [
    ['render', ['render', '--format', 'gif,mp4', '--out', 'x']],
    ['render --format png over earlier frames', ['render', '--format', 'png', '--out', 'x']],
    ['still into a new folder', ['still', '--out', 'new/s.png']],
    ['batch', ['batch', '--seeds', '1', '--out', 'series']],
    ['compare', ['compare', 'SCENE', '--out', 'c.png']],
  ];
  // The quick tier: a video; the full one, every command.
  const named = new Map(cases);
  for (const [name, options] of representative([...named.keys()], ['render'])) {
    const args = named.get(name)!;
    it(`${name}: exit 2 saying the location is read-only, nothing changed`, options, async () => {
      const before = snapshot(disk.path);
      const full = args.map((a, i) => (args[i - 1] === '--out' ? join(disk.path, a) : a === 'SCENE' ? scene : a));
      const result = await runCli([full[0], scene, ...full.slice(1), '-q']);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^error: cannot write .*: the file system is read-only\n/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(snapshot(disk.path)).toEqual(before);
    });
  }
});
if (!canMount) describe('a read-only location', () => it.skip(MOUNT_SKIP));

describe('big scenes', () => {
  // Full tier: the limits on a scene file are checked in src/scene/yaml-bounds.test.ts.
  it('a 1 MB scene (thousands of keyframes, a long description) renders to every format, and --from reads it back', FULL_TIER_ONLY, async () => {
    const keyframes = Array.from({ length: 6000 }, (_, i) => `  - { at: ${(i / 6000).toFixed(5)}, zoom: ${(1 + (i % 7) / 10).toFixed(1)} }`).join('\n');
    const description = 'a long description; with = signs, # hashes and \\\\ backslashes '.repeat(14000);
    const big = SCENE.replace('name: fault', `name: big\ndescription: "${description}"`).replace(/keyframes:[\s\S]*$/, `keyframes:\n${keyframes}\n`);
    expect(big.length).toBeGreaterThan(1_000_000);
    const path = writeScene(dir.path, 'big', big);
    const out = join(dir.path, 'big', 'big');
    const result = await runCli(['render', path, '--format', 'mp4,webm,gif,png', '--out', out, '-q']);
    expect(result.code, result.stderr).toBe(0);
    for (const file of ['big.mp4', 'big.webm', 'big.gif']) {
      const again = await runCli(['still', '--from', join(dir.path, 'big', file), '--out', join(dir.path, 'big', `${file}.png`), '-q']);
      expect(again.code, `${file}: ${again.stderr}`).toBe(0);
    }
  });
});

describe('limits', () => {
  it('--workers beyond what the machine can use is refused with the limit, exit 2', async () => {
    const result = await runCli(['still', scene, '--workers', '256', '-q']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/256 workers is more than this machine can use \(\d+ cores\); use at most \d+/);
  });
});

describe('a killed ffmpeg', () => {
  it('is reported as killed, exit 1; the earlier outputs intact, no temporary files', async () => {
    const { chmodSync, writeFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const real = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    // Runs the real ffmpeg, but one that reads frames from us is killed a moment after it starts
    // (a moment shorter than a piece of these frames takes to code).
    const wrapper = join(dir.path, 'ffmpeg-killed');
    writeFileSync(wrapper, `#!/bin/sh\ncase "$*" in *pipe:0*) ( sleep 0.5; kill -9 $$ ) & ;; esac\nexec "${real}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    const out = join(dir.path, 'killed', 'x');
    expect((await runCli(['render', scene, '--out', out, '-q'])).code).toBe(0);
    const before = snapshot(join(dir.path, 'killed'));
    const result = await runCli(['render', scene, '--duration', '60', '--size', '512x512', '--out', out, '-q'], { env: { FFMPEG_PATH: wrapper } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/ffmpeg stopped \(killed by SIGKILL\)/);
    expect(result.stderr).not.toMatch(/\n\s+at |exit code null/);
    expect(temporaries(join(dir.path, 'killed'))).toEqual([]);
    expect(snapshot(join(dir.path, 'killed'))).toEqual(before);
  });
});

describe('odd output names', () => {
  it('an empty --out is refused by every command that takes one, and nothing is written', async () => {
    const { mkdirSync, readdirSync: list } = await import('node:fs');
    const work = join(dir.path, 'empty-out');
    mkdirSync(work);
    const commands: string[][] = [
      ['render', scene, '--format', 'gif'],
      ['still', scene],
      ['batch', scene, '--seeds', '1'],
      ['compare', scene, scene],
      ['fit', join(ROOT_SCENES, 'targets', 'logo.png'), '--steps', '1'],
      ['activations'],
      ['inspect', scene, '--maps'],
      ['weights', 'export', scene],
    ];
    for (const args of commands) {
      const result = await runCli([...args, '--out', ''], { cwd: work });
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/option '--out <[^>]+>' argument '' is invalid\. give a path \(a file, or a folder ending in \/\)/);
      expect(list(work), args[0]).toEqual([]);
    }
  });

  it('--out ending in / is a folder, made if need be, that gets the file under its usual name', async () => {
    const { existsSync } = await import('node:fs');
    const work = join(dir.path, 'folder-out');
    const cases: Array<[string[], string]> = [
      [['still', scene, '--size', '16x16'], 'fault.png'],
      [['compare', scene, scene, '--size', '16x16'], 'compare.png'],
      [['activations', '--only', 'tanh'], 'activations.png'],
      [['inspect', scene, '--maps', '--tile', '8'], 'fault-maps.png'],
      [['weights', 'export', scene], 'fault.json'],
      [['render', scene, '--format', 'gif', '--size', '16x16'], 'fault.gif'],
      [['fit', join(ROOT_SCENES, 'targets', 'logo.png'), '--steps', '2', '--size', '8x8', '--workers', '1'], 'logo-fitted.png'],
    ];
    for (const [args, file] of cases) {
      const folder = join(work, args[0], 'sub');
      const result = await runCli([...args, '--out', `${folder}/`, '-q'].filter((a) => !(args[0] === 'weights' && a === '-q')));
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(0);
      expect(existsSync(join(folder, file)), `${args[0]}: ${file}`).toBe(true);
    }
  });

  it('a run that fails leaves no folder it made behind', async () => {
    const { chmodSync, existsSync, writeFileSync } = await import('node:fs');
    const broken = join(dir.path, 'ffmpeg-broken');
    writeFileSync(broken, '#!/bin/sh\necho "simulated encoder failure" >&2\nexit 1\n');
    chmodSync(broken, 0o755);
    const result = await runCli(['render', scene, '--format', 'mp4', '--out', join(dir.path, 'never', 'made', 'x'), '-q'], { env: { FFMPEG_PATH: broken } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/simulated encoder failure/);
    expect(existsSync(join(dir.path, 'never'))).toBe(false);
  });

  it('a scene without name: whose file name cannot name outputs (..yaml, ...yaml, a:b.yaml) is refused; nothing is written', async () => {
    const { existsSync, mkdirSync } = await import('node:fs');
    const work = join(dir.path, 'dots');
    mkdirSync(work);
    const nameless = SCENE.replace('name: fault\n', '');
    for (const file of ['..yaml', '...yaml', 'a:b.yaml']) {
      const path = join(work, file);
      (await import('node:fs')).writeFileSync(path, nameless);
      const stem = file.slice(0, -'.yaml'.length);
      for (const args of [['render', path, '--format', 'gif'], ['batch', path, '--seeds', '1'], ['still', path]]) {
        const result = await runCli(args, { cwd: work });
        expect(result.code, `${args[0]} ${file}: ${result.stderr}`).toBe(2);
        expect(result.stderr).toContain(`error: ${path}: the scene has no name:, and its file name gives "${stem}", which cannot name output files: use letters (of any alphabet), digits, spaces`);
        expect(result.stderr).toContain('add a name: key');
      }
      expect(existsSync(join(work, 'output')), file).toBe(false);
      expect(existsSync(join(work, '.gif'))).toBe(false);
    }
  });

  it('one rule for names, from name: or from the file name: letters of any alphabet pass, unsafe characters do not', async () => {
    const { mkdirSync, readdirSync: list, writeFileSync } = await import('node:fs');
    const work = join(dir.path, 'names');
    mkdirSync(work);
    const named = writeScene(work, 'named', SCENE.replace('name: fault', 'name: café crème'));
    const fromFile = join(work, 'naïve 流れ.yaml');
    writeFileSync(fromFile, SCENE.replace('name: fault\n', ''));
    for (const path of [named, fromFile]) {
      const result = await runCli(['render', path, '--format', 'gif', '--size', '16x16', '--out', `${join(work, 'out')}/`, '-q']);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(list(join(work, 'out')).sort()).toEqual(['café crème.gif', 'naïve 流れ.gif']);
    for (const bad of ['a/b', 'a:b', '../up', 'nul']) {
      const path = writeScene(work, 'bad', SCENE.replace('name: fault', `name: "${bad}"`));
      const result = await runCli(['validate', path]);
      expect(result.code, bad).toBe(2);
      expect(result.stderr, bad).toMatch(/bad\.yaml:\d+:\d+: name: (use letters \(of any alphabet\), digits, spaces, "\.", "_" and "-"|"nul" is a device name on Windows)/);
    }
  });

  it("--format png never replaces another tool's frames folder; its own it replaces, and its first frame carries the scene", async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { encodePng } = await import('../src/encode/png.js');
    const work = join(dir.path, 'frames');
    mkdirSync(join(work, 'theirs-frames'), { recursive: true });
    for (let i = 0; i < 3; i++) writeFileSync(join(work, 'theirs-frames', `frame-0000${i}.png`), encodePng(new Uint8Array(4 * 4 * 4).fill(200), 4, 4));
    const before = snapshot(work);
    const refused = await runCli(['render', scene, '--format', 'png', '--out', join(work, 'theirs'), '-q']);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/theirs-frames is a folder that this tool did not write; a folder is replaced only when it holds nothing but frames this tool wrote/);
    expect(snapshot(work)).toEqual(before);
    expect(temporaries(work)).toEqual([]);
    for (const size of ['16x16', '24x16']) {
      const ours = await runCli(['render', scene, '--format', 'png', '--size', size, '--out', join(work, 'ours'), '-q']);
      expect(ours.code, ours.stderr).toBe(0);
    }
    const again = await runCli(['still', '--from', join(work, 'ours-frames', 'frame-00000.png'), '--out', join(work, 'again.png'), '-q']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('render --out with an extension: a format it writes is the stem; one it does not write is refused; others stay in the name', async () => {
    const { existsSync, mkdirSync, readdirSync: list } = await import('node:fs');
    const work = join(dir.path, 'ext');
    mkdirSync(work);
    const refused = await runCli(['render', scene, '--size', '16x16', '--out', join(work, 'x.webp')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`error: --out ${join(work, 'x.webp')} names a webp file, but this render writes mp4, gif\nhint: add --format webp (or webp among the scene's output.formats), or give --out without an extension\n`);
    expect(list(work)).toEqual([]);
    const webp = await runCli(['render', scene, '--size', '16x16', '--format', 'webp', '--out', join(work, 'x.webp'), '-q']);
    expect(webp.code, webp.stderr).toBe(0);
    const gif = await runCli(['render', scene, '--size', '16x16', '--format', 'gif,mp4', '--out', join(work, 'y.GIF'), '-q']);
    expect(gif.code, gif.stderr).toBe(0);
    const dotted = await runCli(['render', scene, '--size', '16x16', '--format', 'gif', '--out', join(work, 'drift.v2'), '-q']);
    expect(dotted.code, dotted.stderr).toBe(0);
    expect(list(work).sort()).toEqual(['drift.v2.gif', 'x.webp', 'y.gif', 'y.mp4']);
    const still = await runCli(['still', scene, '--out', join(work, 'z.jpg')]);
    expect(still.code).toBe(2);
    expect(still.stderr).toMatch(/--out .*z\.jpg: a still must end in \.png/);
    expect(existsSync(join(work, 'z.jpg'))).toBe(false);
  });
});

describe('flags that do nothing', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['render --store without --redis', ['render', 'SCENE', '--store', 'STORE'], /--store does nothing without --redis: the chunk store is where a cluster's workers leave their chunks/],
    ['batch --store without --redis', ['batch', 'SCENE', '--seeds', '1', '--store', 'STORE'], /--store does nothing without --redis/],
    ['render --gif-max-size without a GIF', ['render', 'SCENE', '--format', 'mp4', '--gif-max-size', '1MB'], /--gif-max-size does nothing when no GIF is written \(this render writes mp4\)/],
    ['batch --colors without a GIF', ['batch', 'SCENE', '--seeds', '1', '--format', 'mp4', '--colors', '16'], /--colors does nothing when no GIF is written/],
    ['batch --dither without a GIF', ['batch', 'SCENE', '--seeds', '1', '--format', 'webm', '--dither', 'bayer'], /--dither does nothing when no GIF is written/],
    ['fit --momentum with Adam', ['fit', 'TARGET', '--momentum', '0.5'], /--momentum does nothing with --optimiser adam/],
    ['inspect --tile without --maps', ['inspect', 'SCENE', '--tile', '32'], /--tile does nothing without --maps/],
    ['inspect --out without --maps or --motion', ['inspect', 'SCENE', '--out', 'OUT'], /--out does nothing without --maps or --motion: the statistics print to the standard output/],
    ['inspect --motion --at', ['inspect', 'SCENE', '--motion', '--at', '0.5'], /--at does nothing with --motion, which measures every frame/],
    ['inspect --motion --size', ['inspect', 'SCENE', '--motion', '--size', '64'], /--size does nothing with --motion/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: exit 2 saying so, nothing written`, async () => {
      const { existsSync, mkdirSync, readdirSync: list } = await import('node:fs');
      const work = join(dir.path, 'idle', what.replace(/\W+/g, '-'));
      mkdirSync(work, { recursive: true });
      const full = args.map((a) => ({ SCENE: scene, STORE: join(work, 'store'), OUT: join(work, 'x.png'), TARGET: join(ROOT_SCENES, 'targets', 'logo.png') })[a] ?? a);
      const result = await runCli([...full, ...(args.includes('OUT') || args[0] === 'inspect' ? [] : ['--out', `${work}/`])], { cwd: work });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/\nhint: /);
      expect(result.stdout).toBe('');
      expect(list(work)).toEqual([]);
      expect(existsSync(join(work, 'store'))).toBe(false);
    });
  }
});

describe('special files and hostile stored scenes: refused quickly with a clear message, nothing read beyond its limit', () => {
  const mkfifo = async (path: string): Promise<string> => {
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path]);
    return path;
  };

  it('a device, a named pipe or a folder as the scene, its weights file or the picture to fit: exit 2 at once, saying what it is', async () => {
    const pipe = await mkfifo(join(dir.path, 'special-pipe'));
    const picture = join(dir.path, 'picture-to-fit.png');
    writeFileSync(picture, pngWithText(storedScene()));
    const weightsFrom = (name: string, target: string): string => writeScene(dir.path, name, SCENE.replace(/keyframes:[\s\S]*$/, `weights: ${target}\nkeyframes:\n  - { at: 0, zoom: 1 }\n`));
    const cases: Array<[string[], RegExp]> = [
      [['validate', '/dev/zero'], /^error: scene file \/dev\/zero is a device, not a regular file; only regular files are read\n$/],
      [['validate', pipe], /^error: scene file .*special-pipe is a named pipe, not a regular file; only regular files are read\n$/],
      [['still', weightsFrom('w-zero', '/dev/zero'), '--out', join(dir.path, 'w.png'), '-q'], /^error: weights file \/dev\/zero is a device, not a regular file/],
      [['still', weightsFrom('w-pipe', pipe), '--out', join(dir.path, 'w.png'), '-q'], /^error: weights file .*special-pipe is a named pipe, not a regular file/],
      [['still', weightsFrom('w-folder', dir.path), '--out', join(dir.path, 'w.png'), '-q'], /^error: weights file .* is a folder, not a regular file/],
      [['fit', '/dev/zero', '--out', join(dir.path, 'fit.json'), '-q'], /^error: target image \/dev\/zero is a device, not a regular file/],
      [['fit', pipe, '--out', join(dir.path, 'fit.json'), '-q'], /^error: target image .*special-pipe is a named pipe, not a regular file/],
      [['fit', picture, '--init', pipe, '--out', join(dir.path, 'fit.json'), '-q'], /^error: --init .*special-pipe is a named pipe, not a regular file/],
    ];
    for (const [args, message] of cases) {
      const result = await runCliWithin(args, 15_000);
      expect(result.timedOut, args.join(' ')).toBe(false);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });

  it("a weights file that is not JSON (a password file) is refused without quoting a byte of it", async () => {
    writeFileSync(join(dir.path, 'secret.txt'), 'root:x:0:0:the-secret-line:/root:/bin/bash\n');
    const path = writeScene(dir.path, 'w-secret', SCENE.replace(/keyframes:[\s\S]*$/, 'weights: secret.txt\nkeyframes:\n  - { at: 0, zoom: 1 }\n'));
    const result = await runCliWithin(['still', path, '--out', join(dir.path, 'w.png'), '-q'], 15_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/weights file .*secret\.txt is not valid JSON/);
    expect(result.stderr).not.toMatch(/root|secret-line|bash/);
  });

  it('still --from a shared PNG whose stored scene names /dev/zero, a pipe or /etc/passwd as weights: exit 2 at once, nothing outside its folder read', async () => {
    const pipe = await mkfifo(join(dir.path, 'stored-pipe'));
    const shared = join(dir.path, 'shared');
    mkdirSync(shared);
    for (const [name, weights] of [['zero', '/dev/zero'], ['pipe', pipe], ['passwd', '/etc/passwd']]) {
      const file = join(shared, `${name}.png`);
      writeFileSync(file, pngWithText(storedScene({ weights, keyframes: [{ at: 0, zoom: 1 }] })));
      const result = await runCliWithin(['still', '--from', file, '--out', join(dir.path, 'from-shared.png'), '-q'], 15_000);
      expect(result.timedOut, name).toBe(false);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`its stored scene takes weights from ${weights.split('/').pop()} (made with ${weights}), which is not beside it in ${shared}; a scene read from a file reads weights files only from that file's folder`);
      expect(result.stderr).not.toMatch(/root:/);
    }
    // Beside it, a link to a device is still a device.
    symlinkSync('/dev/zero', join(shared, 'zero'));
    const linked = await runCliWithin(['still', '--from', join(shared, 'zero.png'), '--out', join(dir.path, 'from-shared.png'), '-q'], 15_000);
    expect(linked.code, linked.stderr).toBe(2);
    expect(linked.stderr).toMatch(/weights file .*shared\/zero is a device, not a regular file/);
    expect(existsSync(join(dir.path, 'from-shared.png'))).toBe(false);
  });

  it('an output made from a weights file renders --from anywhere its weights file lies beside it, and nowhere else', async () => {
    const made = join(dir.path, 'made');
    mkdirSync(made);
    expect((await runCli(['weights', 'export', scene, '--seed', '5'], { stdoutFile: join(made, 'w5.json') })).code).toBe(0);
    const path = writeScene(made, 'from-weights', SCENE.replace('name: fault', 'name: from-weights').replace(/keyframes:[\s\S]*$/, 'weights: w5.json\nkeyframes:\n  - { at: 0, zoom: 1 }\n'));
    expect((await runCli(['still', path, '--out', join(made, 'picture.png'), '-q'])).code).toBe(0);
    const moved = join(dir.path, 'moved');
    mkdirSync(moved);
    renameSync(join(made, 'picture.png'), join(moved, 'picture.png'));
    const alone = await runCli(['still', '--from', join(moved, 'picture.png'), '--out', join(dir.path, 'again.png'), '-q']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain(`takes weights from w5.json (made with ${join(made, 'w5.json')}), which is not beside it in ${moved}`);
    expect(alone.stderr).toContain(`hint: copy w5.json next to ${join(moved, 'picture.png')}, or render from the scene file`);
    renameSync(join(made, 'w5.json'), join(moved, 'w5.json'));
    const together = await runCli(['still', '--from', join(moved, 'picture.png'), '--out', join(dir.path, 'again.png'), '-q']);
    expect(together.code, together.stderr).toBe(0);
    expect(sha256((await readPng(join(dir.path, 'again.png'))).data)).toBe(sha256((await readPng(join(moved, 'picture.png'))).data));
  });

  // Full tier: a named pipe as the scene or its weights is checked above.
  it('--from a named pipe given an output\'s name (.mp4, .gif, …): refused before ffmpeg or a reader opens it', FULL_TIER_ONLY, async () => {
    for (const ext of ['mp4', 'webm', 'gif', 'png', 'webp', 'apng']) {
      const pipe = await mkfifo(join(dir.path, `pipe.${ext}`));
      const result = await runCliWithin(['still', '--from', pipe, '--out', join(dir.path, 'p.png'), '-q'], 15_000);
      expect(result.timedOut, ext).toBe(false);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`error: --from ${pipe} is a named pipe, not a regular file; only regular files are read`);
    }
  });

  it('a deflate bomb in stored metadata (a 2 MB PNG or GIF whose packed scene unpacks to 1.5 GB) is refused in moments', async () => {
    const bomb = await deflateBomb(1536);
    const files: Array<[string, Buffer]> = [['bomb.png', pngWithText(bomb)], ['bomb.gif', gifWithComment(bomb)], ['bomb.webp', riffWithChunk('CPPN', Buffer.from(bomb))]];
    for (const [name, data] of files) {
      expect(data.length).toBeLessThan(2.5 * 1024 * 1024);
      writeFileSync(join(dir.path, name), data);
      const result = await runCliWithin(['still', '--from', join(dir.path, name), '--out', join(dir.path, 'b.png'), '-q'], 30_000);
      expect(result.timedOut, name).toBe(false);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`error: --from ${join(dir.path, name)}: its stored scene unpacks to more than 16 MB, more than a stored scene may be; it is damaged or not a cppn-motion file`);
      expect(result.seconds).toBeLessThan(10);
    }
  });

  it('stored lengths that lie (a PNG text chunk claiming 2 GB, a WebP chunk claiming 4 GB) make the file "damaged", not an engine error', async () => {
    const files: Array<[string, Buffer, RegExp]> = [
      ['lying.png', pngWithLyingText(0x7fff_fff0), /is damaged: its "iTXt" chunk at byte 33 claims 2147483632 bytes, past the file's end/],
      ['lying.apng', pngWithLyingText(0xffff_fff0), /is damaged: its "iTXt" chunk at byte 33 claims 4294967280 bytes, past the file's end/],
      ['lying.webp', riffWithChunk('CPPN', Buffer.from(storedScene()), 0xffff_fff0), /is damaged: its "CPPN" chunk at byte 12 claims 4294967280 bytes, past the file's end/],
      ['short.gif', gifWithComment(storedScene()).subarray(0, 40), /is damaged: it ends before its first picture/],
      ['huge.webp', Buffer.concat([riffWithChunk('CPPN', Buffer.alloc(17 * 1024 * 1024, 32))]), /its stored scene is 17 MB, more than a stored scene may be \(16 MB\)/],
    ];
    for (const [name, data, message] of files) {
      writeFileSync(join(dir.path, name), data);
      const result = await runCliWithin(['still', '--from', join(dir.path, name), '--out', join(dir.path, 'l.png'), '-q'], 15_000);
      expect(result.code, `${name}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/RangeError|Invalid string length|ERR_|\n\s+at /);
    }
  });

  it('preview: a scene whose weights are /dev/zero or a pipe gets an error answer at once, and SIGTERM still stops the server', async () => {
    const folder = join(dir.path, 'preview-special');
    mkdirSync(folder);
    const pipe = await mkfifo(join(folder, 'pipe.json'));
    writeScene(folder, 'zero', SCENE.replace('name: fault', 'name: zero').replace(/keyframes:[\s\S]*$/, 'weights: /dev/zero\nkeyframes:\n  - { at: 0, zoom: 1 }\n'));
    writeScene(folder, 'pipe', SCENE.replace('name: fault', 'name: pipe').replace(/keyframes:[\s\S]*$/, `weights: ${pipe}\nkeyframes:\n  - { at: 0, zoom: 1 }\n`));
    const preview = await startPreview([folder]);
    try {
      const scenes = (await (await fetch(new URL('/api/scenes', preview.url))).json()) as Array<{ id: number; name: string }>;
      expect(scenes.map((s) => s.name).sort()).toEqual(['pipe', 'zero']);
      for (const { id, name } of scenes) {
        const answer = await fetch(new URL(`/api/scenes/${id}/inspect?at=0`, preview.url), { signal: AbortSignal.timeout(10_000) });
        expect((await answer.json()) as { error?: string }, name).toMatchObject({ error: expect.stringMatching(name === 'zero' ? /weights file \/dev\/zero is a device, not a regular file/ : /weights file .*pipe\.json is a named pipe, not a regular file/) });
        const file = await fetch(new URL(`/files/${id}/pipe.json`, preview.url), { signal: AbortSignal.timeout(10_000) });
        expect(file.status).toBe(404);
      }
      preview.child.kill('SIGTERM');
      const code = await Promise.race([new Promise((done) => preview.child.on('close', (c, signal) => done(c ?? signal))), new Promise((done) => setTimeout(() => done('still running'), 10_000))]);
      expect(code).not.toBe('still running');
    } finally {
      preview.child.kill('SIGKILL');
    }
  });
});
