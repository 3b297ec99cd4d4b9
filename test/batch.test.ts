import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../src/encode/ffmpeg.js';
import { LOCK_FILE, lockSeriesFolder } from '../src/batch/folder-lock.js';
import { spawnSync } from 'node:child_process';
import { CLI, distinctColours, ffprobe, readPng, runCli, sha256, snapshot, tempDir, writeScene } from './helpers.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

const SERIES = `
name: tiles
output: { size: [32, 32], fps: 8, duration: 1 }
network:
  inputs: [x, y, r, t]
  layers: { depth: 4, width: 8 }
  output: { channels: 3, activation: sigmoid }
`;

interface ManifestJson {
  tool: { name: string; version: string };
  items: Array<{ name: string; params: Record<string, number>; sceneHash: string; status: string; frames: number; durationSeconds: number; renderSeconds: number; outputs: Array<{ format: string; file: string; bytes: number }> }>;
}

function manifest(folder: string): ManifestJson {
  return JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as ManifestJson;
}

describe('cppn-motion batch', () => {
  const folder = (): string => join(dir.path, 'out', 'tiles');

  it('renders one GIF per seed, a contact sheet and a manifest', async () => {
    const scene = writeScene(dir.path, 'tiles', SERIES);
    const result = await runCli(['batch', scene, '--seeds', '1-4', '--out', join(dir.path, 'out')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('summary: 4 done, 0 skipped, 0 failed');
    const names = ['tiles-seed-01', 'tiles-seed-02', 'tiles-seed-03', 'tiles-seed-04'];
    expect(readdirSync(folder()).sort()).toEqual(['contact-sheet.png', 'manifest.json', ...names.map((n) => `${n}.gif`)]);
    for (const name of names) {
      const probe = await ffprobe(join(folder(), `${name}.gif`));
      expect(probe.streams[0]).toMatchObject({ codec_name: 'gif', width: 32, height: 32, nb_read_frames: '8' });
    }
    // The contact sheet: 2 × 2 cells of 32 px, each showing a different network.
    const sheet = await readPng(join(folder(), 'contact-sheet.png'));
    expect(sheet.width).toBe(16 * 2 + 2 * 32 + 12);
    expect(sheet.height).toBe(16 * 2 + 28 + 2 * (32 + 40) + 12);
    const cells = [0, 1, 2, 3].map((i) => {
      const x0 = 16 + (i % 2) * 44;
      const y0 = 44 + Math.floor(i / 2) * 84;
      const cell = new Uint8Array(32 * 32 * 4);
      for (let y = 0; y < 32; y++) cell.set(sheet.data.subarray(((y0 + y) * sheet.width + x0) * 4, ((y0 + y) * sheet.width + x0 + 32) * 4), y * 32 * 4);
      return sha256(cell);
    });
    expect(new Set(cells).size).toBe(4);
    const m = manifest(folder());
    expect(m.tool.name).toBe('cppn-motion');
    expect(m.items.map((i) => i.name)).toEqual(names);
    for (const item of m.items) {
      expect(item).toMatchObject({ status: 'done', frames: 8, durationSeconds: 1 });
      expect(item.sceneHash).toMatch(/^[0-9a-f]{16}$/);
      expect(item.renderSeconds).toBeGreaterThan(0);
      expect(item.outputs).toEqual([{ format: 'gif', file: `${item.name}.gif`, bytes: statSync(join(folder(), `${item.name}.gif`)).size }]);
    }
    expect(m.items[2].params).toEqual({ seed: 3 });
  });

  it('skips everything on a second run, and renders again only what was deleted', async () => {
    const scene = join(dir.path, 'tiles.yaml');
    const times = Object.fromEntries(readdirSync(folder()).map((f) => [f, statSync(join(folder(), f)).mtimeMs]));
    const again = await runCli(['batch', scene, '--seeds', '1-4', '--out', join(dir.path, 'out')]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('summary: 0 done, 4 skipped, 0 failed');
    for (const gif of Object.keys(times).filter((f) => f.endsWith('.gif'))) expect(statSync(join(folder(), gif)).mtimeMs).toBe(times[gif]);
    rmSync(join(folder(), 'tiles-seed-03.gif'));
    const dry = await runCli(['batch', scene, '--seeds', '1-4', '--out', join(dir.path, 'out'), '--dry-run']);
    expect(dry.stdout).toMatch(/render +tiles-seed-03 +\(tiles-seed-03\.gif is missing\)/);
    expect(dry.stdout.match(/skip +tiles-seed-0[124]/g)).toHaveLength(3);
    expect(existsSync(join(folder(), 'tiles-seed-03.gif'))).toBe(false);
    const repair = await runCli(['batch', scene, '--seeds', '1-4', '--out', join(dir.path, 'out')]);
    expect(repair.stderr).toContain('summary: 1 done, 3 skipped, 0 failed');
    expect(repair.stderr).toMatch(/done +tiles-seed-03/);
    expect(existsSync(join(folder(), 'tiles-seed-03.gif'))).toBe(true);
    const forced = await runCli(['batch', scene, '--seeds', '1-2', '--out', join(dir.path, 'out'), '--force', '--no-sheet']);
    expect(forced.stderr).toContain('summary: 2 done, 0 skipped, 0 failed');
  });

  it('a changed scene is another series: refused in the folder of the old one, rendered anew with --force', async () => {
    const scene = writeScene(dir.path, 'tiles', SERIES.replace('depth: 4', 'depth: 3'));
    const result = await runCli(['batch', scene, '--seeds', '1', '--out', join(dir.path, 'out'), '--dry-run']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/holds another series \(4 items\): the scene .*tiles\.yaml has changed since/);
    const forced = await runCli(['batch', scene, '--seeds', '1', '--out', join(dir.path, 'out'), '--dry-run', '--force']);
    expect(forced.stdout).toMatch(/render +tiles-seed-01 +\(--force\)/);
    writeScene(dir.path, 'tiles', SERIES);
  });

  it('takes a series block (seeds and a grid) from the scene, with flags taking precedence, and GIF size controls', async () => {
    const scene = writeScene(dir.path, 'grid', `${SERIES.replace('name: tiles', 'name: grid')}series:\n  seeds: "7-8"\n  grid: { zoom: [0.5, 2], hue: [0, 90] }\n`);
    const result = await runCli(['batch', scene, '--out', join(dir.path, 'out'), '--colors', '16', '--dither', 'bayer', '--fps', '4']);
    expect(result.code, result.stderr).toBe(0);
    const files = readdirSync(join(dir.path, 'out', 'grid')).filter((f) => f.endsWith('.gif')).sort();
    expect(files).toEqual([
      'grid-seed-07-zoom-0.5-hue-0.gif',
      'grid-seed-07-zoom-0.5-hue-90.gif',
      'grid-seed-07-zoom-2-hue-0.gif',
      'grid-seed-07-zoom-2-hue-90.gif',
      'grid-seed-08-zoom-0.5-hue-0.gif',
      'grid-seed-08-zoom-0.5-hue-90.gif',
      'grid-seed-08-zoom-2-hue-0.gif',
      'grid-seed-08-zoom-2-hue-90.gif',
    ]);
    const probe = await ffprobe(join(dir.path, 'out', 'grid', files[0]));
    expect(probe.streams[0].nb_read_frames).toBe('4');
    // --colors 16: a frame of the GIF uses at most 16 colours.
    const frame = join(dir.path, 'grid-frame.png');
    spawnSync(locateFfmpeg().path, ['-v', 'error', '-i', join(dir.path, 'out', 'grid', files[0]), '-frames:v', '1', '-y', frame]);
    const colours = distinctColours((await readPng(frame)).data);
    expect(colours).toBeGreaterThan(4);
    expect(colours).toBeLessThanOrEqual(16);
    expect(manifest(join(dir.path, 'out', 'grid')).items[1].params).toEqual({ seed: 7, zoom: 0.5, hue: 90 });
    const flagged = await runCli(['batch', scene, '--seeds', '3', '--set', 'zoom=1', '--out', join(dir.path, 'flagged'), '--no-sheet']);
    expect(flagged.code, flagged.stderr).toBe(0);
    expect(readdirSync(join(dir.path, 'flagged', 'grid')).sort()).toEqual(['grid-seed-03-zoom-1-hue-0.gif', 'grid-seed-03-zoom-1-hue-90.gif', 'manifest.json']);
  });

  it('makes an animated contact sheet on request: every item playing side by side', async () => {
    const scene = join(dir.path, 'tiles.yaml');
    const result = await runCli(['batch', scene, '--seeds', '1-4', '--out', join(dir.path, 'out'), '--animated-sheet']);
    expect(result.code, result.stderr).toBe(0);
    const sheet = await ffprobe(join(folder(), 'contact-sheet.gif'));
    expect(sheet.streams[0]).toMatchObject({ codec_name: 'gif', width: 16 * 2 + 2 * 32 + 12, height: 16 * 2 + 28 + 2 * (32 + 40) + 12, nb_read_frames: '8' });
  });

  it('takes several scenes and glob patterns in one call', async () => {
    writeScene(dir.path, 'many-a', SERIES.replace('name: tiles', 'name: many-a'));
    writeScene(dir.path, 'many-b', SERIES.replace('name: tiles', 'name: many-b'));
    const result = await runCli(['batch', join(dir.path, 'many-*.yaml'), '--seeds', '1', '--out', join(dir.path, 'many'), '--no-sheet']);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(join(dir.path, 'many')).sort()).toEqual(['many-a', 'many-b']);
  });

  it('one failing item does not stop the others; the summary says which failed and why; exit code 1', async () => {
    const real = locateFfmpeg().path;
    const flaky = join(dir.path, 'flaky-ffmpeg.sh');
    writeFileSync(flaky, `#!/bin/sh\ncase "$*" in *seed-02*) echo "simulated encoder crash" >&2; exit 1;; esac\nexec "${real}" "$@"\n`, { mode: 0o755 });
    const scene = writeScene(dir.path, 'flaky', SERIES.replace('name: tiles', 'name: flaky'));
    // The MP4 goes through ffmpeg (the GIF does not): its crash fails the item.
    const result = await runCli(['batch', scene, '--seeds', '1-3', '--format', 'gif,mp4', '--out', join(dir.path, 'flaky-out')], { env: { FFMPEG_PATH: flaky } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('summary: 2 done, 0 skipped, 1 failed');
    expect(result.stderr).toMatch(/failed +flaky-seed-02 +\(.*simulated encoder crash/);
    const out = join(dir.path, 'flaky-out', 'flaky');
    expect(readdirSync(out).filter((f) => f.includes('seed-02'))).toEqual([]);
    expect(manifest(out).items.map((i) => i.status)).toEqual(['done', 'failed', 'done']);
    const retry = await runCli(['batch', scene, '--seeds', '1-3', '--format', 'gif,mp4', '--out', join(dir.path, 'flaky-out')]);
    expect(retry.stderr).toContain('summary: 1 done, 2 skipped, 0 failed');
  });

  it('an interrupted batch continues where it stopped, with no half-written files', async () => {
    const { spawn } = await import('node:child_process');
    const scene = writeScene(dir.path, 'stop', SERIES.replace('name: tiles', 'name: stop').replace('[32, 32]', '[160, 160]').replace('duration: 1', 'duration: 3'));
    const out = join(dir.path, 'stop-out');
    const child = spawn(process.execPath, [CLI, 'batch', scene, '--seeds', '1-6', '--out', out]);
    let stderr = '';
    const code = await new Promise<number | null>((done) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/\[1\/6\]/.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('close', done);
    });
    expect(code).toBe(130);
    const folder = join(out, 'stop');
    const left = readdirSync(folder);
    expect(left.filter((f) => f.startsWith('.'))).toEqual([]);
    const finished = manifest(folder).items.filter((i) => i.status === 'done').map((i) => i.name);
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(finished.length).toBeLessThan(6);
    for (const f of left.filter((f) => f.endsWith('.gif'))) expect(finished).toContain(f.replace('.gif', ''));
    const resumed = await runCli(['batch', scene, '--seeds', '1-6', '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`summary: ${6 - finished.length} done, ${finished.length} skipped, 0 failed`);
  });
});

describe('one series per folder', () => {
  const out = (): string => join(dir.path, 'series-out');
  const folder = (): string => join(out(), 'tiles');
  const gifs = (): Record<string, string> => Object.fromEntries(Object.entries(snapshot(folder())).filter(([file]) => !file.startsWith('.')));

  it('a batch with other settings is refused in the folder of a series, naming each difference; nothing there changes', async () => {
    const scene = writeScene(dir.path, 'tiles', SERIES);
    const first = await runCli(['batch', scene, '--seeds', '1-4', '--out', out(), '-q']);
    expect(first.code, first.stderr).toBe(0);
    const before = gifs();
    const cases: Array<[string[], RegExp]> = [
      [['--size', '16x16'], /output\.size \(--size\) is 32x32 there, 16x16 here/],
      [['--fps', '4', '--colors', '16'], /output\.fps \(--fps\) is 8 there, 4 here; output\.gif\.colors \(--colors\) is 256 there, 16 here/],
      [['--format', 'mp4'], /output\.formats \(--format\) is gif there, mp4 here/],
      [['--size', '16x16', '--dry-run'], /output\.size \(--size\) is 32x32 there, 16x16 here/],
    ];
    for (const [flags, message] of cases) {
      const result = await runCli(['batch', scene, '--seeds', '1-2', ...flags, '--out', out()]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`error: ${folder().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} holds another series \\(4 items\\): `));
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/hint: give another --out for this series, or --force to start it there in place of the other/);
      expect(gifs()).toEqual(before);
    }
  });

  it('the same series continues: new items join it, and the contact sheet shows every item of the manifest', async () => {
    const scene = join(dir.path, 'tiles.yaml');
    const result = await runCli(['batch', scene, '--seeds', '5', '--out', out()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('summary: 1 done, 0 skipped, 0 failed');
    const m = manifest(folder()) as ManifestJson & { series: { output: Record<string, unknown> } };
    expect(m.items.map((i) => i.name)).toEqual(['tiles-seed-01', 'tiles-seed-02', 'tiles-seed-03', 'tiles-seed-04', 'tiles-seed-05']);
    expect(m.series.output).toMatchObject({ size: '32x32', fps: 8, duration: 1, formats: ['gif'] });
    // Five cells of 32 px: three columns, two rows, each a different network.
    const sheet = await readPng(join(folder(), 'contact-sheet.png'));
    expect([sheet.width, sheet.height]).toEqual([16 * 2 + 3 * 32 + 2 * 12, 16 * 2 + 28 + 2 * (32 + 40) + 12]);
    const cells = [0, 1, 2, 3, 4].map((i) => {
      const x0 = 16 + (i % 3) * 44;
      const y0 = 44 + Math.floor(i / 3) * 84;
      const cell = new Uint8Array(32 * 32 * 4);
      for (let y = 0; y < 32; y++) cell.set(sheet.data.subarray(((y0 + y) * sheet.width + x0) * 4, ((y0 + y) * sheet.width + x0 + 32) * 4), y * 32 * 4);
      return sha256(cell);
    });
    expect(new Set(cells).size).toBe(5);
  });

  it('--force starts the new series in the folder in place of the other', async () => {
    const scene = join(dir.path, 'tiles.yaml');
    const result = await runCli(['batch', scene, '--seeds', '1-2', '--size', '16x16', '--force', '--out', out()]);
    expect(result.code, result.stderr).toBe(0);
    const m = manifest(folder()) as ManifestJson & { series: { output: Record<string, unknown> } };
    expect(m.items.map((i) => i.name)).toEqual(['tiles-seed-01', 'tiles-seed-02']);
    expect(m.series.output.size).toBe('16x16');
    expect((await ffprobe(join(folder(), 'tiles-seed-01.gif'))).streams[0]).toMatchObject({ width: 16, height: 16 });
    const sheet = await readPng(join(folder(), 'contact-sheet.png'));
    expect([sheet.width, sheet.height]).toEqual([16 * 2 + 2 * 16 + 12, 16 * 2 + 28 + 16 + 40]);
    // The new series continues as any other: its own settings are the ones that match now.
    const again = await runCli(['batch', scene, '--seeds', '1-2', '--size', '16x16', '--out', out()]);
    expect(again.stderr).toContain('summary: 0 done, 2 skipped, 0 failed');
  });
});

describe('bad series input: a clear error, exit code 2, nothing rendered', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a backwards range', ['--seeds', '5-1'], /--seeds 5-1: the range 5-1 runs backwards; write 1-5/],
    ['not a seed', ['--seeds', 'x'], /--seeds x: "x" is not a seed or a range/],
    ['an empty grid', ['--set', 'zoom='], /--set zoom=: give one or more numbers/],
    ['a value twice', ['--set', 'zoom=1,1.0'], /--set zoom=1,1\.0: lists a value more than once/],
    ['an unknown parameter', ['--set', 'zom=1,2'], /"zom" cannot vary in a series \(did you mean "zoom"\?\); use one of: scale, zoom/],
    ['thousands of items without --yes', ['--seeds', '1-40', '--set', 'zoom=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26'], /this series has 1,040 items; pass --yes/],
  ];
  for (const [what, flags, message] of cases) {
    it(what, async () => {
      const scene = writeScene(dir.path, 'refused', SERIES.replace('name: tiles', 'name: refused'));
      const result = await runCli(['batch', scene, ...flags, '--out', join(dir.path, 'refused-out')]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(existsSync(join(dir.path, 'refused-out'))).toBe(false);
    });
  }

  it('unknown parameters in a series block, located in the file', async () => {
    const scene = writeScene(dir.path, 'badseries', `${SERIES.replace('name: tiles', 'name: badseries')}series:\n  grid: { zoom: [1], frequncy: [3] }\n`);
    const result = await runCli(['batch', scene, '--out', join(dir.path, 'refused-out')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/badseries\.yaml:\d+:\d+: series\.grid\.frequncy: unknown key "frequncy" \(did you mean "frequency"\?\)/);
    expect(existsSync(join(dir.path, 'refused-out'))).toBe(false);
  });
});

describe("a series folder's lock", () => {
  it('an empty lock just made (another batch between making and writing it) is held; an old empty one is a leftover and taken over', () => {
    const dir = tempDir();
    try {
      const lock = join(dir.path, LOCK_FILE);
      writeFileSync(lock, '');
      expect(() => lockSeriesFolder(dir.path)).toThrow(/is being written by another batch/);
      expect(readFileSync(lock, 'utf8')).toBe('');
      const past = new Date(Date.now() - 60_000);
      utimesSync(lock, past, past);
      const release = lockSeriesFolder(dir.path);
      expect(readFileSync(lock, 'utf8')).toMatch(new RegExp(` ${process.pid}\\n$`));
      // Only the lock is left: no draft beside it.
      expect(readdirSync(dir.path)).toEqual([LOCK_FILE]);
      release();
      expect(existsSync(lock)).toBe(false);
    } finally {
      dir.remove();
    }
  });
});
