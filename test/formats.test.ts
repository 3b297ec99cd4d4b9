import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apngAnimation } from '../src/encode/formats/apng.js';
import { webpAnimation } from '../src/encode/formats/webp.js';
import { readSceneMetadata } from '../src/encode/metadata.js';
import { webpTiming } from '../src/encode/formats/webp-join.js';
import { piecesFor } from '../src/render/piece-plan.js';
import { ffmpegBaselineGif, fidelity, framePsnr } from './fidelity.js';
import { CLI, ffprobe, runCli, sha256, tempDir, writeScene } from './helpers.js';
import { FULL_TIER_ONLY, representative } from './tier.js';

const require = createRequire(import.meta.url);

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

const SCENE = `
name: shared
output: { size: [40, 32], fps: 10, duration: 1.2, formats: [webp, apng] }
network:
  inputs: [x, y, r, t]
  layers: { depth: 3, width: 8 }
  output: { channels: 3, activation: sigmoid }
keyframes:
  - { at: 0, seed: 4 }
  - { at: 0.6, seed: 5 }
`;

describe('WebP and APNG outputs', () => {
  it('animated WebP and APNG have every frame, the right duration, loop forever and carry the scene', async () => {
    const scene = writeScene(dir.path, 'shared', SCENE);
    const result = await runCli(['render', scene, '--out', join(dir.path, 'out', 'shared')]);
    expect(result.code, result.stderr).toBe(0);
    const webp = webpAnimation(join(dir.path, 'out', 'shared.webp'));
    expect(webp).toEqual({ frames: 12, seconds: expect.closeTo(1.2, 1) as number, loops: 0 });
    const apng = apngAnimation(join(dir.path, 'out', 'shared.apng'));
    expect(apng).toEqual({ frames: 12, seconds: expect.closeTo(1.2, 2) as number, loops: 0 });
    const probe = await ffprobe(join(dir.path, 'out', 'shared.apng'));
    expect(probe.streams[0]).toMatchObject({ codec_name: 'apng', width: 40, height: 32, nb_read_frames: '12' });
    for (const ext of ['webp', 'apng']) {
      const stored = JSON.parse(await readSceneMetadata(join(dir.path, 'out', `shared.${ext}`)));
      expect(stored.name, ext).toBe('shared');
      expect(stored.keyframes[1].seed, ext).toBe(5);
    }
  });

  it('lossless WebP is larger than lossy, and --from re-renders from a WebP and from an APNG', async () => {
    const lossless = writeScene(dir.path, 'lossless', SCENE.replace('name: shared', 'name: lossless').replace('formats: [webp, apng] }', 'formats: [webp], webp: { lossless: true } }'));
    const result = await runCli(['render', lossless, '--out', join(dir.path, 'lossless')]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(dir.path, 'lossless.webp')).length).toBeGreaterThan(readFileSync(join(dir.path, 'out', 'shared.webp')).length);
    for (const ext of ['webp', 'apng']) {
      const again = await runCli(['render', '--from', join(dir.path, 'out', `shared.${ext}`), '--size', '20x16', '--format', 'mp4', '--out', join(dir.path, `from-${ext}`)]);
      expect(again.code, again.stderr).toBe(0);
      const probe = await ffprobe(join(dir.path, `from-${ext}.mp4`));
      expect(probe.streams[0]).toMatchObject({ width: 20, height: 16, nb_read_frames: '12' });
    }
  });

  it('doctor checks the encoders of every format', async () => {
    const result = await runCli(['doctor']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ok +libwebp_anim +\(webp\)/);
    expect(result.stdout).toMatch(/ok +apng +\(apng\)/);
  });
});

/** Mean PSNR (dB) of a GIF's frames against PNG frames, as ffmpeg measures it. */
describe('GIF size and fidelity', () => {
  // Full tier: the GIF against the earlier ffmpeg GIF is checked below, on a small video.
  it('the default GIF of the showcase is 15 fps, under 40 % of the size of the earlier ffmpeg GIF, and at least as faithful to the frames it shows', FULL_TIER_ONLY, async () => {
    const out = join(dir.path, 'drift');
    const result = await runCli(['render', 'scenes/drift.yaml', '--duration', '1', '--format', 'gif,png', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('drift.gif (15 fps: every 2nd frame, to keep it small; output.gif.fps sets the rate)');
    const probe = await ffprobe(`${out}.gif`);
    expect(probe.streams[0]).toMatchObject({ width: 512, height: 512, nb_read_frames: '15' });
    expect(Number(probe.format.duration)).toBeCloseTo(1, 1);
    const ours = fidelity(`${out}.gif`, `${out}-frames`, 30, 2);
    ffmpegBaselineGif(`${out}-frames`, 30, join(dir.path, 'ffmpeg.gif'));
    const theirs = fidelity(join(dir.path, 'ffmpeg.gif'), `${out}-frames`, 30);
    expect(ours.psnr).toBeGreaterThan(46);
    expect(ours.psnr).toBeGreaterThanOrEqual(theirs.psnr);
    expect(ours.ssim).toBeGreaterThanOrEqual(theirs.ssim - 0.001);
    expect(statSync(`${out}.gif`).size).toBeLessThan(0.4 * statSync(join(dir.path, 'ffmpeg.gif')).size);
  });

  it('a small video\'s GIF keeps every frame, about as faithful as the earlier ffmpeg GIF at under 80 % of its size', async () => {
    const out = join(dir.path, 'drift-30');
    const result = await runCli(['render', 'scenes/drift.yaml', '--size', '160x160', '--duration', '1', '--format', 'gif,png', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('every 2nd frame');
    const ours = fidelity(`${out}.gif`, `${out}-frames`, 30);
    ffmpegBaselineGif(`${out}-frames`, 30, join(dir.path, 'ffmpeg-30.gif'));
    const theirs = fidelity(join(dir.path, 'ffmpeg-30.gif'), `${out}-frames`, 30);
    expect(ours.psnr).toBeGreaterThan(45);
    expect(ours.psnr).toBeGreaterThanOrEqual(theirs.psnr - 0.5);
    expect(statSync(`${out}.gif`).size).toBeLessThan(0.8 * statSync(join(dir.path, 'ffmpeg-30.gif')).size);
  });

  it('--gif-max-size makes the GIF fit and says what it chose', async () => {
    const scene = writeScene(dir.path, 'budget', SCENE.replace('name: shared', 'name: budget').replace('[40, 32]', '[160, 128]').replace('formats: [webp, apng]', 'formats: [gif]'));
    const free = await runCli(['render', scene, '--out', join(dir.path, 'free')]);
    expect(free.code, free.stderr).toBe(0);
    const freeBytes = statSync(join(dir.path, 'free.gif')).size;
    const budget = Math.floor(freeBytes / 3);
    const result = await runCli(['render', scene, '--gif-max-size', String(budget), '--out', join(dir.path, 'fitted')]);
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(join(dir.path, 'fitted.gif')).size).toBeLessThanOrEqual(budget);
    expect(result.stderr).toMatch(/fitted\.gif \(\d+x\d+, [\d.]+ fps, \d+ colours to fit/);
    const probe = await ffprobe(join(dir.path, 'fitted.gif'));
    expect(Number(probe.format.duration)).toBeCloseTo(1.2, 1);
  });

  it('a budget that even the smallest GIF cannot meet fails with exit code 2 and writes nothing', async () => {
    const scene = writeScene(dir.path, 'budget', SCENE.replace('name: shared', 'name: budget').replace('[40, 32]', '[160, 128]').replace('formats: [webp, apng]', 'formats: [gif]'));
    // Below what any GIF of these frames takes: refused before a frame is rendered.
    const impossible = await runCli(['render', scene, '--gif-max-size', '1kB', '--out', join(dir.path, 'tiny')]);
    expect(impossible.code).toBe(2);
    expect(impossible.stderr).toMatch(/output\.gif\.maxBytes: 1\.0 kB cannot hold this GIF: even at 5 fps it has 6 frames/);
    expect(impossible.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir.path, 'tiny.gif'))).toBe(false);
    // Above that floor, but no setting of the ladder fits: refused after the trial codes.
    const result = await runCli(['render', scene, '--gif-max-size', '1.5kB', '--out', join(dir.path, 'tiny')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot fit in 1\.5 kB: even at \d+x\d+/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir.path, 'tiny.gif'))).toBe(false);
    const bad = await runCli(['render', scene, '--gif-max-size', 'lots', '--out', join(dir.path, 'tiny')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--gif-max-size');
  });
});

describe('animated contact sheet in other formats', () => {
  it('batch --animated-sheet webp writes contact-sheet.webp with every frame, looping', async () => {
    const scene = writeScene(dir.path, 'sheet', SCENE.replace('name: shared', 'name: sheet').replace('formats: [webp, apng]', 'formats: [gif]'));
    const result = await runCli(['batch', scene, '--seeds', '1-2', '--out', join(dir.path, 'series'), '--animated-sheet', 'webp']);
    expect(result.code, result.stderr).toBe(0);
    const sheet = webpAnimation(join(dir.path, 'series', 'sheet', 'contact-sheet.webp'));
    expect(sheet).toMatchObject({ frames: 12, loops: 0 });
    const bad = await runCli(['batch', scene, '--seeds', '1-2', '--out', join(dir.path, 'series'), '--animated-sheet', 'png']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--animated-sheet png');
  });
});

describe('video bytes do not depend on the machine', () => {
  // taskset limits what the render (and the ffmpeg it starts) may use to one
  // core, as on a one-core machine; left to themselves, x264 and libvpx would
  // choose another thread count there and write other bytes.
  const taskset = spawnSync('taskset', ['--version']).status === 0;
  it.skipIf(!taskset || availableParallelism() < 2)('the same MP4 and WebM on one core as on every core', () => {
    const scratch = tempDir();
    try {
      const file = writeScene(scratch.path, 'cores', `
name: cores
output: { size: [128, 128], fps: 30, duration: 1, formats: [mp4, webm] }
network: { inputs: [x, y, r, t], layers: { depth: 3, width: 8 } }
keyframes:
  - { at: 0, seed: 1 }
  - { at: 0.5, seed: 2 }
`);
      const render = (stem: string, oneCore: boolean): void => {
        const args = [CLI, 'render', file, '--quiet', '--out', join(scratch.path, stem)];
        const result = oneCore ? spawnSync('taskset', ['-c', '0', process.execPath, ...args]) : spawnSync(process.execPath, args);
        expect(result.status, result.stderr.toString()).toBe(0);
      };
      render('one', true);
      render('all', false);
      for (const extension of ['mp4', 'webm']) {
        expect(sha256(readFileSync(join(scratch.path, `one.${extension}`))), extension).toBe(sha256(readFileSync(join(scratch.path, `all.${extension}`))));
      }
    } finally {
      scratch.remove();
    }
  });
});

/** Packet times (seconds) of a video's frames, in presentation order. */
function frameTimes(file: string): number[] {
  const probe = spawnSync((require('@ffprobe-installer/ffprobe') as { path: string }).path, ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return probe.stdout.trim().split('\n').map(Number).sort((a, b) => a - b);
}

describe('videos coded in pieces and joined', () => {
  for (const [ext, seconds] of [['mp4', 2.5], ['webm', 7.5]] as const) {
    it(`every frame of a joined ${ext.toUpperCase()} shows its own rendered frame, at the joins too, at exact times, for exactly the video's length`, async () => {
      const frames = seconds * 24;
      const scene = writeScene(dir.path, `joined-${ext}`, SCENE.replace('name: shared', `name: joined-${ext}`).replace('size: [40, 32], fps: 10, duration: 1.2, formats: [webp, apng]', `size: [96, 64], fps: 24, duration: ${seconds}, formats: [${ext}, png]`));
      const out = join(dir.path, `joined-${ext}`);
      const result = await runCli(['render', scene, '--out', out]);
      expect(result.code, result.stderr).toBe(0);
      const pieces = piecesFor(frames, [ext, 'png']);
      expect(pieces.length).toBeGreaterThan(3);
      expect(result.stderr).toContain(`${pieces.length} pieces`);
      const probe = await ffprobe(`${out}.${ext}`);
      expect(probe.streams[0].nb_read_frames).toBe(String(frames));
      // WebM counts in milliseconds: within one of them.
      expect(Math.abs(Number(probe.format.duration) - seconds)).toBeLessThanOrEqual(ext === 'webm' ? 0.0015 : 0.0005);
      // Evenly spaced: no frame shown twice or skipped where two pieces meet, so the loop plays at one pace.
      const times = frameTimes(`${out}.${ext}`);
      for (const [i, t] of times.entries()) expect(Math.abs(t - i / 24), `frame ${i}`).toBeLessThanOrEqual(0.001);
      const psnr = framePsnr(`${out}.${ext}`, `${out}-frames`, 24, join(dir.path, `joined-${ext}.psnr`));
      expect(psnr).toHaveLength(frames);
      const sorted = [...psnr].sort((a, b) => a - b);
      const median = sorted[Math.floor(frames / 2)];
      // A frame decoded against the wrong reference (a glitch at a join) would be far below the rest.
      expect(sorted[0]).toBeGreaterThan(28);
      for (const { start } of pieces.slice(1)) expect(psnr[start], `frame ${start}, the first of a piece`).toBeGreaterThan(median - 6);
    });
  }

  // Held frames (the hold ease), a scene that never moves and a single frame: formats that merge
  // identical frames (libwebp) or write a single frame as a still (ffmpeg's APNG) must still make whole outputs.
  const held = (name: string, keyframes: string, duration: number): string =>
    writeScene(dir.path, name, `
name: ${name}
output: { size: [40, 32], fps: 10, duration: ${duration}, formats: [mp4, gif, webm, webp, apng, png] }
network:
  inputs: [x, y, t]
  layers: { depth: 3, width: 8 }
  output: { channels: 3, activation: sigmoid }
keyframes:
${keyframes}
`);
  const cases: Array<[string, string, number, number]> = [
    ['held frames', '  - { at: 0, seed: 4, t: 0 }\n  - { at: 0.8, seed: 5, t: 0, ease: hold }', 1.6, 16],
    ['a scene that never moves', '  - { at: 0, seed: 4, t: 0 }', 1.6, 16],
    ['a single frame', '  - { at: 0, seed: 4 }', 0.1, 1],
  ];
  // The quick tier: held frames (some frames identical, some not); the full one, the static scene and the single frame too.
  const byName = new Map(cases.map((c) => [c[0], c]));
  for (const [what, options] of representative([...byName.keys()], ['held frames'])) {
    const [, keyframes, duration, frames] = byName.get(what)!;
    it(`${what}: every format is written whole, with every frame or its time`, options, async () => {
      const name = what.replace(/\W+/g, '-');
      const scene = held(name, keyframes, duration);
      const out = join(dir.path, 'held', name);
      const result = await runCli(['render', scene, '--out', out]);
      expect(result.code, result.stderr).toBe(0);
      // Decoded (ffmpeg reads APNG too): every frame is there.
      for (const ext of ['mp4', 'webm', 'gif', 'apng']) {
        const probe = await ffprobe(`${out}.${ext}`);
        expect(probe.streams[0].nb_read_frames, ext).toBe(String(frames));
      }
      expect(apngAnimation(`${out}.apng`), 'apng').toMatchObject({ frames, loops: 0 });
      expect(apngAnimation(`${out}.apng`)!.seconds).toBeCloseTo(duration, 5);
      const webp = webpTiming(`${out}.webp`);
      expect(webp.ms, 'webp').toBe(duration * 1000);
      expect(webp.loops).toBe(0);
      expect(webp.frames).toBeGreaterThanOrEqual(1);
      expect(webp.frames).toBeLessThanOrEqual(frames);
      expect(readdirSync(`${out}-frames`)).toHaveLength(frames);
      for (const ext of ['webp', 'apng', 'gif', 'mp4']) expect(JSON.parse(await readSceneMetadata(`${out}.${ext}`)).name, ext).toBe(name);
    });
  }
});
