import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apngAnimation } from '../src/encode/formats/apng.js';
import { webpAnimation } from '../src/encode/formats/webp.js';
import { readSceneMetadata } from '../src/encode/metadata.js';
import { ffprobe, runCli, tempDir, writeScene } from './helpers.js';

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
