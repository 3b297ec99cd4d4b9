/**
 * Fault injection: a full disk, a read-only location, output paths that
 * would replace something, a busy series folder, a killed ffmpeg. (Odd output
 * names are in output-names.test.ts, hostile inputs in hostile-inputs.test.ts.)
 * Every case checks the exit code, the message, that no temporary file is
 * left, and that what was there before is byte-identical afterwards.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPng, runCli, smallScene, snapshot, temporaries, useSceneFolder, writeScene } from './helpers.js';
import { canMount, MOUNT_SKIP, mountTmpfs, type Mount } from './mounts.js';
import { FULL_TIER_ONLY, representative } from './tier.js';
import { LOCK_FILE } from '../src/batch/folder-lock.js';

const SCENE = smallScene('fault');

const scratch = useSceneFolder('fault', SCENE);

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
      const first = await runCli(['render', scratch.scene, '--format', format, '--out', out, '-q']);
      expect(first.code, first.stderr).toBe(0);
      const before = snapshot(disk.path);
      disk.fill(4096);
      try {
        const result = await runCli(['render', scratch.scene, '--format', format, '--size', '256x256', '--out', out, '-q']);
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
    expect((await runCli(['still', scratch.scene, '--out', out, '-q'])).code).toBe(0);
    const before = snapshot(disk.path);
    disk.fill(4096);
    try {
      const result = await runCli(['still', scratch.scene, '--size', '512x512', '--out', out, '-q']);
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
    const first = await runCli(['batch', scratch.scene, '--seeds', '1-2', '--out', out, '-q']);
    expect(first.code, first.stderr).toBe(0);
    const gifs = (): Record<string, string> => Object.fromEntries(Object.entries(snapshot(out)).filter(([file]) => file.endsWith('.gif')));
    const before = gifs();
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(2);
    disk.fill(4096);
    try {
      const result = await runCli(['batch', scratch.scene, '--seeds', '1-2', '--size', '256x256', '--force', '--out', out, '-q']);
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
      const result = await runCli(['weights', 'export', scratch.scene, '--seed', '1'], { stdoutFile: join(disk.path, 'w.json') });
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
    const result = await runCli(['weights', 'export', scratch.scene], { stdoutFile: '/dev/full' });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toBe('error: cannot write the standard output: the disk is full\n');
  });
});

describe('output paths', () => {
  it('never replaces a device node, a pipe or a link: exit 2, the node left as it was', async () => {
    const { execFileSync } = await import('node:child_process');
    const { lstatSync, symlinkSync, writeFileSync } = await import('node:fs');
    const node = join(scratch.dir, 'devnull');
    let madeDevice = true;
    try {
      execFileSync('mknod', [node, 'c', '1', '3'], { stdio: 'ignore' });
    } catch {
      // Not allowed here (not root): a named pipe is another non-regular file anyone can make.
      execFileSync('mkfifo', [node]);
      madeDevice = false;
    }
    for (const args of [['still', scratch.scene, '--out', node], ['render', scratch.scene, '--format', 'gif', '--out', `${node}.gif`]]) {
      if (args[0] === 'render') execFileSync(madeDevice ? 'mknod' : 'mkfifo', madeDevice ? [`${node}.gif`, 'c', '1', '3'] : [`${node}.gif`]);
      const result = await runCli([...args, '-q']);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/is a (device|pipe), not a regular file; outputs replace only regular files/);
      expect(lstatSync(args[args.length - 1]).isFile()).toBe(false);
    }
    writeFileSync(join(scratch.dir, 'target.png'), 'keep');
    symlinkSync(join(scratch.dir, 'target.png'), join(scratch.dir, 'link.png'));
    const link = await runCli(['still', scratch.scene, '--out', join(scratch.dir, 'link.png'), '-q']);
    expect(link.code).toBe(2);
    expect(link.stderr).toContain('is a symbolic link, not a regular file');
    expect(readFileSync(join(scratch.dir, 'target.png'), 'utf8')).toBe('keep');
    expect(temporaries(scratch.dir)).toEqual([]);
  });

  it('--from never replaces its source, not even when --out names it; by default the new file gets the size in its name', async () => {
    const work = join(scratch.dir, 'from');
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
    const work = join(scratch.dir, 'inputs');
    mkdirSync(work);
    symlinkSync(work, join(scratch.dir, 'inputs-link'));
    const link = (name: string): string => join(scratch.dir, 'inputs-link', name);
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
    const ok = await runCli(['render', scratch.scene, '--format', 'gif', '--out', join(scratch.dir, 'long', long), '-q']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readdirSync(join(scratch.dir, 'long'))).toEqual([`${long}.gif`]);
    const tooLong = await runCli(['still', scratch.scene, '--out', join(scratch.dir, 'long', `${'b'.repeat(300)}.png`), '-q']);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain('the name is longer than 255 bytes');
    expect(tooLong.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(join(scratch.dir, 'long'))).toEqual([`${long}.gif`]);
  });

  it('% in an output name is a plain character, and --out folder/ names the file after the scene', async () => {
    const percent = await runCli(['render', scratch.scene, '--format', 'gif,png,mp4', '--out', join(scratch.dir, 'pc', '100%'), '-q']);
    expect(percent.code, percent.stderr).toBe(0);
    expect(readdirSync(join(scratch.dir, 'pc')).sort()).toEqual(['100%-frames', '100%.gif', '100%.mp4']);
    expect(readdirSync(join(scratch.dir, 'pc', '100%-frames'))).toHaveLength(12);
    const folder = await runCli(['render', scratch.scene, '--format', 'gif', '--out', `${join(scratch.dir, 'newdir')}/`, '-q']);
    expect(folder.code, folder.stderr).toBe(0);
    expect(readdirSync(join(scratch.dir, 'newdir'))).toEqual(['fault.gif']);
  });

  it('% in the output folder\'s name is a plain character too: PNG frames into a folder named 50%', async () => {
    const result = await runCli(['render', scratch.scene, '--format', 'png,mp4', '--out', join(scratch.dir, '50%', 'x'), '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(join(scratch.dir, '50%')).sort()).toEqual(['x-frames', 'x.mp4']);
    expect(readdirSync(join(scratch.dir, '50%', 'x-frames'))).toHaveLength(12);
    expect((await readPng(join(scratch.dir, '50%', 'x-frames', 'frame-00011.png'))).width).toBeGreaterThan(0);
  });

  it('temporary files left by a killed process are removed by the next run into that folder', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const folder = join(scratch.dir, 'stale');
    mkdirSync(join(folder, '.fault.partial-999999-abcdef.gif.work'), { recursive: true });
    writeFileSync(join(folder, '.fault.partial-999999-abcdef.gif.work', 'frames-0000.mkv'), 'x');
    writeFileSync(join(folder, '.fault.partial-999999-abc123.mp4'), 'x');
    // One that belongs to a live process (this one) stays.
    writeFileSync(join(folder, `.other.partial-${process.pid}-aaaaaa.gif`), 'x');
    const result = await runCli(['render', scratch.scene, '--format', 'gif', '--out', join(folder, 'fault'), '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(folder).sort()).toEqual([`.other.partial-${process.pid}-aaaaaa.gif`, 'fault.gif']);
  });
  it('on a folder shared between machines, another machine\'s temporary files are left to it, whatever its process number', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { machineId } = await import('../src/files/index.js');
    const folder = join(scratch.dir, 'shared-folder');
    mkdirSync(folder, { recursive: true });
    const other = machineId() === 'abcdef01' ? 'abcdef02' : 'abcdef01';
    // Process 999999 is not alive here, but the file is another machine's: it may be alive there.
    writeFileSync(join(folder, `.fault.partial-${other}-999999-abcdef.gif`), 'x');
    writeFileSync(join(folder, `.fault.partial-${machineId()}-999999-abcdef.mp4`), 'x');
    const result = await runCli(['render', scratch.scene, '--format', 'gif', '--out', join(folder, 'fault'), '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(folder).sort()).toEqual([`.fault.partial-${other}-999999-abcdef.gif`, 'fault.gif']);
  });
});

describe('batch folders', () => {
  it('a second batch into the same folder is refused while the first runs; both batches end up in the manifest', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('./helpers.js');
    const out = join(scratch.dir, 'locked');
    const first = spawn(process.execPath, [CLI, 'batch', scratch.scene, '--seeds', '1-3', '--duration', '4', '--size', '48x48', '--out', out]);
    let firstErr = '';
    const started = new Promise<void>((ready) => first.stderr.on('data', (d: Buffer) => ((firstErr += d.toString()), /items → /.test(firstErr) && ready())));
    const firstDone = new Promise<number | null>((done) => first.on('close', done));
    await started;
    // Once it holds the lock, paused while the second tries, so that it is still running then however fast this machine is.
    const lock = join(out, 'fault', LOCK_FILE);
    while (!existsSync(lock) && first.exitCode === null) await sleep(5);
    expect(existsSync(lock), firstErr).toBe(true);
    first.kill('SIGSTOP');
    try {
      const second = await runCli(['batch', scratch.scene, '--seeds', '7', '--out', out, '-q']);
      expect(second.code, second.stderr).toBe(2);
      expect(second.stderr).toMatch(/is being written by another batch \(process \d+\); wait for it to finish/);
    } finally {
      first.kill('SIGCONT');
    }
    expect(await firstDone, firstErr).toBe(0);
    // The same series (same settings) continues; another one would be refused (see batch.test.ts).
    const third = await runCli(['batch', scratch.scene, '--seeds', '7', '--duration', '4', '--size', '48x48', '--out', out, '-q']);
    expect(third.code, third.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'fault', 'manifest.json'), 'utf8')) as { items: Array<{ name: string }> };
    expect(manifest.items.map((i) => i.name).sort()).toEqual(['fault-seed-01', 'fault-seed-02', 'fault-seed-03', 'fault-seed-07']);
    expect(readdirSync(join(out, 'fault')).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a lock left by a killed batch is taken over, and its old drafts removed; a damaged manifest only means its items render again', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { machineId } = await import('../src/files/index.js');
    const folder = join(scratch.dir, 'stale-lock', 'fault');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, '.cppn-motion.lock'), '999999\n');
    // Drafts of the lock: one left by a batch killed between writing and linking it; one a live batch (this process) is writing.
    writeFileSync(join(folder, `${LOCK_FILE}.partial-${machineId()}-999998-a1b2c3`), `${machineId()} 999998\n`);
    const young = `${LOCK_FILE}.partial-${machineId()}-${process.pid}-d4e5f6`;
    writeFileSync(join(folder, young), `${machineId()} ${process.pid}\n`);
    writeFileSync(join(folder, 'manifest.json'), '{"items":[null, 3, {"name": "x"}]}');
    const result = await runCli(['batch', scratch.scene, '--seeds', '1', '--out', join(scratch.dir, 'stale-lock'), '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { items: Array<{ name: string }> };
    expect(manifest.items.map((i) => i.name)).toEqual(['fault-seed-01']);
    expect(readdirSync(folder).filter((f) => f.startsWith('.'))).toEqual([young]);
  });

  it('a lock held from another machine (a shared folder) is not taken over by process number, and the message says how to clear it', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { machineId } = await import('../src/files/index.js');
    const folder = join(scratch.dir, 'foreign-lock', 'fault');
    mkdirSync(folder, { recursive: true });
    const other = machineId() === 'abcdef01' ? 'abcdef02' : 'abcdef01';
    writeFileSync(join(folder, '.cppn-motion.lock'), `${other} 999999\n`);
    const result = await runCli(['batch', scratch.scene, '--seeds', '1', '--out', join(scratch.dir, 'foreign-lock'), '-q']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`is being written by a batch on another machine \\(${other}, process 999999\\)[^]*hint: if no batch runs there any more, remove .*\\.cppn-motion\\.lock`));
    expect(readdirSync(folder)).toEqual(['.cppn-motion.lock']);
  });
});

describe.skipIf(!canMount)('a read-only location', () => {
  let disk: Mount;
  beforeAll(async () => {
    disk = mountTmpfs(2048);
    const first = await runCli(['render', scratch.scene, '--format', 'gif,png', '--out', join(disk.path, 'x'), '-q']);
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
      const full = args.map((a, i) => (args[i - 1] === '--out' ? join(disk.path, a) : a === 'SCENE' ? scratch.scene : a));
      const result = await runCli([full[0], scratch.scene, ...full.slice(1), '-q']);
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
    const path = writeScene(scratch.dir, 'big', big);
    const out = join(scratch.dir, 'big', 'big');
    const result = await runCli(['render', path, '--format', 'mp4,webm,gif,png', '--out', out, '-q']);
    expect(result.code, result.stderr).toBe(0);
    for (const file of ['big.mp4', 'big.webm', 'big.gif']) {
      const again = await runCli(['still', '--from', join(scratch.dir, 'big', file), '--out', join(scratch.dir, 'big', `${file}.png`), '-q']);
      expect(again.code, `${file}: ${again.stderr}`).toBe(0);
    }
  });
});

describe('limits', () => {
  it('--workers beyond what the machine can use is refused with the limit, exit 2', async () => {
    const result = await runCli(['still', scratch.scene, '--workers', '256', '-q']);
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
    const wrapper = join(scratch.dir, 'ffmpeg-killed');
    writeFileSync(wrapper, `#!/bin/sh\ncase "$*" in *pipe:0*) ( sleep 0.5; kill -9 $$ ) & ;; esac\nexec "${real}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    const out = join(scratch.dir, 'killed', 'x');
    expect((await runCli(['render', scratch.scene, '--out', out, '-q'])).code).toBe(0);
    const before = snapshot(join(scratch.dir, 'killed'));
    const result = await runCli(['render', scratch.scene, '--duration', '60', '--size', '512x512', '--out', out, '-q'], { env: { FFMPEG_PATH: wrapper } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/ffmpeg stopped \(killed by SIGKILL\)/);
    expect(result.stderr).not.toMatch(/\n\s+at |exit code null/);
    expect(temporaries(join(scratch.dir, 'killed'))).toEqual([]);
    expect(snapshot(join(scratch.dir, 'killed'))).toEqual(before);
  });
});
