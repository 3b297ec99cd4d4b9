/**
 * The GIF beside a video is one a person can post: a big video's GIF is
 * scaled down by default (and says so), a budget stored in an earlier output
 * follows a re-render at another size instead of failing after its trial
 * encodes, and a budget no GIF could meet stops the render before it starts.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGifSize } from '../src/scene/index.js';
import { ffprobe, runCli, tempDir, writeScene } from './helpers.js';
import { FULL_TIER_ONLY } from './tier.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

const WIDE = `
name: wide
output: { size: [800, 450], fps: 12, duration: 1, formats: [mp4, gif] }
network:
  inputs: [x, y, r, t]
  layers: { depth: 3, width: 8 }
  output: { channels: 3, activation: sigmoid }
seed: 4
`;

describe('a GIF rate above the video\'s', () => {
  it('shows every frame at the video\'s rate and says so, instead of failing after the render', async () => {
    const scene = writeScene(dir.path, 'fast-gif', `
name: fast-gif
output: { size: [32, 32], fps: 2, duration: 2, formats: [gif], gif: { fps: 6 } }
network: { inputs: [x, y, t], layers: { depth: 2, width: 4 } }
`);
    const result = await runCli(['render', scene, '--out', join(dir.path, 'fast-gif')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("every frame, at the video's 2 fps (output.gif.fps asks for 6");
    const probe = await ffprobe(join(dir.path, 'fast-gif.gif'));
    expect(Number(probe.streams[0].nb_read_frames)).toBe(4);
    expect(Number(probe.format.duration)).toBeCloseTo(2, 1);
  });
});

describe('the default GIF', () => {
  it('keeps its longer side at 640 pixels or less, aspect kept', () => {
    expect(defaultGifSize(512, 512)).toEqual([512, 512]);
    expect(defaultGifSize(640, 200)).toEqual([640, 200]);
    expect(defaultGifSize(1920, 1080)).toEqual([640, 360]);
    expect(defaultGifSize(1080, 1920)).toEqual([360, 640]);
    expect(defaultGifSize(4096, 10)).toEqual([640, 2]);
  });

  it('of a video wider than 640 pixels is scaled down and says so; the MP4 keeps the full size; output.gif.size asks for another', async () => {
    const scene = writeScene(dir.path, 'wide', WIDE);
    const result = await runCli(['render', scene, '--out', join(dir.path, 'wide')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`wrote ${join(dir.path, 'wide.gif')} (640x360 of the 800x450 video, to keep it small; output.gif.size sets the size, --gif-max-size a budget)`);
    expect((await ffprobe(join(dir.path, 'wide.gif'))).streams[0]).toMatchObject({ width: 640, height: 360, nb_read_frames: '12' });
    expect((await ffprobe(join(dir.path, 'wide.mp4'))).streams[0]).toMatchObject({ width: 800, height: 450 });

    const full = writeScene(dir.path, 'full', WIDE.replace('formats: [mp4, gif] }', 'formats: [gif], gif: { size: [800, 450] } }'));
    const asked = await runCli(['render', full, '--out', join(dir.path, 'full')]);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stderr).toContain(`wrote ${join(dir.path, 'full.gif')}\n`);
    expect((await ffprobe(join(dir.path, 'full.gif'))).streams[0]).toMatchObject({ width: 800, height: 450 });
  });
});

describe('a GIF size budget', () => {
  // Full tier: a budget checked before rendering is checked below; --from after --gif-max-size runs in readme.test.ts.
  it('stored in a small render follows `render --from` to a large size: a note, and a GIF within the grown budget', FULL_TIER_ONLY, async () => {
    // The README's sequence (`--gif-max-size 5MB`, then `--from output/drift.gif --size 1920x1080`), made small.
    const work = join(dir.path, 'readme');
    mkdirSync(work);
    const free = await runCli(['render', join(process.cwd(), 'scenes/drift.yaml'), '--size', '64x64', '--duration', '1', '--format', 'gif', '--out', 'free'], { cwd: work });
    expect(free.code, free.stderr).toBe(0);
    // A budget the small GIF meets only with fewer colours or frames.
    const budget = Math.floor(statSync(join(work, 'free.gif')).size * 0.6);
    const first = await runCli(['render', join(process.cwd(), 'scenes/drift.yaml'), '--size', '64x64', '--duration', '1', '--format', 'gif,webp', '--gif-max-size', String(budget)], { cwd: work });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/drift\.gif \(\d+x\d+, [\d.]+ fps, \d+ colours to fit/);

    const again = await runCli(['render', '--from', 'output/drift.gif', '--size', '640x360'], { cwd: work });
    expect(again.code, again.stderr).toBe(0);
    const grown = Math.round(budget * ((640 * 360) / (64 * 64)));
    expect(again.stderr).toContain(`the GIF size budget stored in output/drift.gif (`);
    expect(again.stderr).toContain(`for a GIF of 64x64, 1 s) grows with the GIF to ${grown < 1e5 ? `${(grown / 1e3).toFixed(1)} kB` : `${(grown / 1e6).toFixed(2)} MB`} (640x360, 1 s); --gif-max-size sets another`);
    const gif = join(work, 'output', 'drift-640x360.gif');
    expect(again.stderr).toMatch(/drift-640x360\.gif \(\d+x\d+, [\d.]+ fps, \d+ colours to fit/);
    expect(statSync(gif).size).toBeLessThanOrEqual(grown);
    expect(statSync(join(work, 'output', 'drift-640x360.webp')).size).toBeGreaterThan(0);
  });

  it('that no GIF of the video could meet stops the render before any frame, exit code 2, nothing written', async () => {
    const scene = writeScene(dir.path, 'tiny-budget', WIDE.replace('name: wide', 'name: tiny-budget').replace('duration: 1', 'duration: 20'));
    const out = join(dir.path, 'tiny');
    mkdirSync(out);
    const result = await runCli(['render', scene, '--gif-max-size', '2kB', '--out', join(out, 'tiny')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: output\.gif\.maxBytes: 2\.0 kB cannot hold this GIF: even at [\d.]+ fps it has \d+ frames of 20 bytes or more, after the scene it carries \([\d.]+ kB\), more than [\d.]+ kB in all; raise the budget or shorten the video/);
    expect(result.stderr).not.toContain('rendering tiny-budget:');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(out)).toEqual([]);
  });
});
