/**
 * Each output format on the showcase (scenes/drift.yaml, 512×512, 30 fps, 8 s,
 * default settings): size, fidelity to the exact rendered frames and encode
 * time. The frames are rendered once (to PNG, lossless), then every format
 * encodes the same frames; fidelity is ffmpeg's PSNR and SSIM of the decoded
 * output against them, frame by frame. Run with `npm run bench:formats`
 * (add a scene path to measure another scene, and then a comma-separated list
 * of formats to measure only those). Encode times are wall time on
 * whatever else the machine is doing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEncoder, defaultGifFps, outputPath } from '../src/encode/formats/index.js';
import { decodePng } from '../src/encode/png.js';
import { encodeOptions } from '../src/render/encode-job.js';
import { renderVideo } from '../src/render/video.js';
import { loadScene, type Format, type SceneFile } from '../src/scene/index.js';
import { ffmpegBaselineGif, fidelity } from '../test/fidelity.js';

const scenePath = process.argv[2] ?? 'scenes/drift.yaml';
const loaded = await loadScene(scenePath);
const { width, height } = loaded.model;
const fps = loaded.scene.output.fps;
const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-formats-'));

function folderBytes(path: string): number {
  const stat = statSync(path);
  return stat.isDirectory() ? readdirSync(path).reduce((sum, f) => sum + statSync(join(path, f)).size, 0) : stat.size;
}

try {
  console.log(`${loaded.model.name}: ${width}x${height}, ${loaded.model.timeline.frameCount} frames at ${fps} fps (machine load ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
  const exact = await renderVideo(loaded, { outStem: join(dir, 'exact'), formats: ['png'] });
  const framesFolder = exact.outputs[0].path;
  const frameFiles = readdirSync(framesFolder).sort();
  const frames: Uint8Array[] = [];
  for (const f of frameFiles) frames.push(new Uint8Array((await decodePng(readFileSync(join(framesFolder, f)))).data.buffer));

  const variants: Array<{ label: string; format: Format; output?: Partial<SceneFile['output']> }> = [
    { label: 'mp4 (H.264, crf 16, veryfast)', format: 'mp4' },
    { label: 'webm (VP9, crf 32)', format: 'webm' },
    { label: `gif (defaults: ${defaultGifFps(fps, width, height)} fps)`, format: 'gif' },
    { label: `gif, fps ${fps} (every frame)`, format: 'gif', output: { gif: { ...loaded.scene.output.gif, fps } } },
    { label: `gif, fps ${fps}, tolerance 0`, format: 'gif', output: { gif: { ...loaded.scene.output.gif, fps, tolerance: 0 } } },
    { label: 'gif, maxBytes 5MB', format: 'gif', output: { gif: { ...loaded.scene.output.gif, maxBytes: '5MB' } } },
    { label: 'webp (lossy, quality 80)', format: 'webp' },
    { label: 'webp (lossless)', format: 'webp', output: { webp: { lossless: true, quality: 80 } } },
    { label: 'apng (lossless)', format: 'apng' },
  ];
  console.log(`${'format'.padEnd(32)} ${'size'.padStart(9)} ${'PSNR'.padStart(9)} ${'SSIM'.padStart(7)} ${'encode'.padStart(8)}`);
  // An optional second argument keeps only some formats, e.g. `gif` or `gif,webp`.
  const only = process.argv[3]?.split(',');
  for (const [i, v] of variants.entries()) {
    if (only && !only.includes(v.format)) continue;
    const path = outputPath(join(dir, `out-${i}`), v.format);
    const started = performance.now();
    const encoder = createEncoder(v.format, { width, height, fps, frameCount: frames.length, path, metadata: JSON.stringify(loaded.scene), options: encodeOptions({ ...loaded.scene.output, ...v.output }) });
    for (const frame of frames) await encoder.writeFrame(frame);
    await encoder.finish();
    encoder.commit();
    const seconds = (performance.now() - started) / 1000;
    // ffmpeg of this vintage cannot decode animated WebP, and a GIF of smaller frames has no
    // frame-for-frame counterpart: their fidelity is not measured here.
    const comparable = v.format !== 'webp' && v.output?.gif?.maxBytes === undefined;
    const gifFps = v.output?.gif?.fps ?? defaultGifFps(fps, width, height);
    const { psnr, ssim } = comparable ? fidelity(path, framesFolder, fps, v.format === 'gif' ? fps / gifFps : 1) : {};
    const note = encoder.summary?.();
    console.log(
      `${v.label.padEnd(32)} ${`${(folderBytes(path) / 1e6).toFixed(2)} MB`.padStart(9)} ${psnr === undefined ? 'n/a'.padStart(8) : psnr === Infinity ? 'exact'.padStart(8) : `${psnr.toFixed(2)} dB`} ${ssim !== undefined ? ssim.toFixed(4) : '   n/a'} ${`${seconds.toFixed(1)} s`.padStart(8)}${note ? `  (${note})` : ''}`,
    );
  }
  // ffmpeg's own two-pass GIF, as cppn-motion made GIFs before its own encoder.
  if (!only || only.includes('gif')) {
    const before = join(dir, 'before.gif');
    const started = performance.now();
    ffmpegBaselineGif(framesFolder, fps, before);
    const seconds = (performance.now() - started) / 1000;
    const { psnr, ssim } = fidelity(before, framesFolder, fps);
    console.log(`${'gif before (ffmpeg, sierra2_4a)'.padEnd(32)} ${`${(folderBytes(before) / 1e6).toFixed(2)} MB`.padStart(9)} ${psnr.toFixed(2)} dB ${ssim.toFixed(4)} ${`${seconds.toFixed(1)} s`.padStart(8)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
