/**
 * The example scenes are what people copy: each validates without a warning,
 * each video moves at an even pace with good contrast, and each still is
 * marked as one (output.kind: still), so `render` writes a PNG.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureMotion } from '../src/inspect/index.js';
import { FrameBuilder, isStillScene, loadScene, motionSources, PreviewRenderer, previewSize, type LoadedScene } from '../src/scene/index.js';
import { readPng, runCli, tempDir } from './helpers.js';

const SCENES = readdirSync('scenes').filter((f) => f.endsWith('.yaml')).sort().map((f) => join('scenes', f));
const loaded = SCENES.map((path) => ({ path, scene: loadScene(path) }));
const videos = loaded.filter((l) => !isStillScene(l.scene.scene));
const stills = loaded.filter((l) => isStillScene(l.scene.scene));

/** Mean grey level over every frame, and the mean of each frame's standard deviation (contrast), on the pacing preview. */
function tone(scene: LoadedScene): { brightness: number; contrast: number } {
  const builder = new FrameBuilder(scene.model, scene.library);
  const preview = new PreviewRenderer(previewSize(scene.model.width, scene.model.height, scene.model.shape));
  let brightness = 0;
  let contrast = 0;
  const n = scene.model.timeline.frameCount;
  for (let i = 0; i < n; i++) {
    const rgba = preview.render(builder.frame(i));
    let sum = 0;
    let squares = 0;
    for (let p = 0; p < rgba.length; p += 4) {
      const grey = 0.2126 * rgba[p] + 0.7152 * rgba[p + 1] + 0.0722 * rgba[p + 2];
      sum += grey;
      squares += grey * grey;
    }
    const mean = sum / (rgba.length / 4);
    brightness += mean / n;
    contrast += Math.sqrt(Math.max(0, squares / (rgba.length / 4) - mean * mean)) / n;
  }
  return { brightness, contrast };
}

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

describe('the example scenes', () => {
  it('all validate without a single warning', async () => {
    const result = await runCli(['validate', ...SCENES]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('warning:'))).toEqual([]);
    expect(result.stderr.match(/: ok — /g)).toHaveLength(SCENES.length);
  });

  it('are videos that move or stills marked as such, and a still example has nothing that moves', () => {
    expect(videos.length).toBeGreaterThan(5);
    expect(stills.length).toBeGreaterThan(5);
    for (const { path, scene } of videos) expect(motionSources(scene.scene), path).not.toEqual([]);
    for (const { path, scene } of stills) expect(motionSources(scene.scene), `${path} moves: make it a video`).toEqual([]);
  });

  // Bounds the examples meet with room to spare; an example washed out (bright, flat) or with a jolt in its pace fails.
  it.each(videos.map((v) => [v.path, v.scene] as const))('%s moves evenly, neither washed out nor murky', (path, scene) => {
    const motion = measureMotion(scene);
    expect(motion.median, `${path}: change per frame`).toBeGreaterThan(1);
    expect(motion.spread, `${path}: largest change per frame over the median`).toBeLessThan(2.6);
    const { brightness, contrast } = tone(scene);
    expect(brightness, `${path}: mean brightness`).toBeGreaterThan(40);
    expect(brightness, `${path}: mean brightness`).toBeLessThan(160);
    expect(contrast, `${path}: contrast (standard deviation within a frame)`).toBeGreaterThan(30);
  });
});

describe('render of a scene marked output.kind: still', () => {
  it('writes one PNG, says so, and re-renders from it at another size', async () => {
    const result = await runCli(['render', 'scenes/artsy.yaml', '--size', '40x32', '--out', join(dir.path, 'art')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`wrote ${join(dir.path, 'art.png')} (40x32, `);
    expect(result.stderr).toContain('artsy is a still (output.kind: still), so one PNG rather than a video');
    expect(result.stderr).not.toContain('never moves');
    expect(readdirSync(dir.path).filter((f) => f.startsWith('art'))).toEqual(['art.png']);
    const png = await readPng(join(dir.path, 'art.png'));
    expect([png.width, png.height]).toEqual([40, 32]);

    const again = await runCli(['render', '--from', join(dir.path, 'art.png'), '--size', '24x24'], { cwd: dir.path });
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(dir.path, 'output', 'artsy.png'))).toBe(true);
    expect((await readPng(join(dir.path, 'output', 'artsy.png'))).width).toBe(24);
  });

  it('refuses the flags that shape a video, exit code 2, writing nothing', async () => {
    const result = await runCli(['render', 'scenes/artsy.yaml', '--format', 'gif', '--duration', '2', '--out', join(dir.path, 'nothing')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('scenes/artsy.yaml is a still (output.kind: still): render writes one PNG, so --duration and --format have nothing to act on');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(dir.path).filter((f) => f.startsWith('nothing'))).toEqual([]);
  });
});
