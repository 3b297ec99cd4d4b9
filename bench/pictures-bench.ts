/**
 * Figures for the picture settings: render time, GIF size and shimmer of the
 * showcase (scenes/drift.yaml, 512×512, 8 s, MP4 + GIF) at antialias 1, 2
 * and 3, and the spread (max / median) of the change per frame of orbit and
 * drift with pacing: keyframes and pacing: even. Run with
 * `npm run bench:pictures` (`npx tsx bench/pictures-bench.ts --quick` for 2 s at
 * 256×256 instead of 8 s at 512×512).
 *
 * Shimmer is the mean change of an RGB value from one frame to the next
 * (steps of 255) over the first second, at full size: the part of it that
 * antialiasing removes is detail flickering under the pixel grid.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureMotion } from '../src/inspect/index.js';
import { FrameRenderer } from '../src/render/frame-renderer.js';
import { renderVideo } from '../src/render/video.js';
import { loadScene, overrideScene, pictureChange, sceneFromFile, validateSceneData, type LoadedScene, type SceneFile, type SceneInput } from '../src/scene/index.js';

const quick = process.argv.includes('--quick');

function changed(loaded: LoadedScene, set: (scene: SceneInput) => SceneInput): LoadedScene {
  const file = validateSceneData(set(loaded.scene as SceneInput));
  return sceneFromFile(file, loaded.origin, '/', file.name!, loaded.library);
}

function shimmer(loaded: LoadedScene, frames: number): number {
  const renderer = new FrameRenderer(loaded.scene, loaded.library);
  let previous = renderer.renderFrame({ index: 0 });
  let sum = 0;
  for (let i = 1; i <= frames; i++) {
    const next = renderer.renderFrame({ index: i });
    sum += pictureChange(previous, next);
    previous = next;
  }
  return sum / frames;
}

const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-pictures-'));
try {
  const showcase = loadScene('scenes/drift.yaml');
  // --quick: 256×256 and 2 s (the keyframes stretch with the duration, as --duration does).
  const drift = quick ? changed(showcase, (s) => overrideScene(s as SceneFile, { duration: 2, size: [256, 256] }) as SceneInput) : showcase;
  console.log(`antialiasing: scenes/drift.yaml, ${drift.model.width}x${drift.model.height}, ${drift.scene.output.duration} s at 30 fps (${drift.model.timeline.frameCount} frames), mp4 + gif, ${availableParallelism()} workers`);
  console.log('  antialias  wall time  worker render  GIF size   MP4 size   shimmer (1st second)');
  for (const n of [1, 2, 3]) {
    const loaded = changed(drift, (s) => ({ ...s, name: `drift-aa${n}`, output: { ...s.output, antialias: n } }));
    const result = await renderVideo(loaded, { outStem: join(dir, `drift-aa${n}`) });
    const size = (format: string): string => `${(statSync(join(dir, `drift-aa${n}.${format}`)).size / 1024 / 1024).toFixed(2)} MB`;
    const flicker = shimmer(loaded, 30);
    console.log(`  ${String(n).padEnd(9)}  ${(result.wallMs / 1000).toFixed(1).padStart(7)} s  ${(result.renderMs / 1000).toFixed(1).padStart(11)} s  ${size('gif').padStart(8)}  ${size('mp4').padStart(8)}   ${flicker.toFixed(2)}`);
  }
  console.log('\npacing: change per frame measured on the 64-px preview (mean |Δ| RGB, steps of 255)');
  console.log('  scene   pacing      median   max    spread (max / median)');
  for (const name of ['orbit', 'drift']) {
    for (const pacing of ['keyframes', 'even'] as const) {
      const m = measureMotion(changed(loadScene(`scenes/${name}.yaml`), (s) => ({ ...s, pacing })));
      console.log(`  ${name.padEnd(6)}  ${pacing.padEnd(10)}  ${m.median.toFixed(1).padStart(6)}  ${m.max.toFixed(1).padStart(5)}   ${m.spread.toFixed(2)}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
