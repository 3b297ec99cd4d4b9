/**
 * The README's side-by-side of the tutorial's lesson on a picture: the logo,
 * what 6 tanh layers learn of it, and what the same network learns with the
 * identity activation (a stack of linear layers is one linear map of x, y and
 * r: it can only draw a ramp). Both fits use scenes/fit-logo.yaml's network
 * from PyTorch's default initialisation (small weights: with normal(0, 1)
 * weights six linear layers multiply their input ~10⁴-fold and the sigmoid
 * output saturates, so no gradient would get through).
 *
 *   npx tsx scripts/fit-comparison.ts [steps] [out.png]
 */
import { writeFileSync } from 'node:fs';
import { createCanvas } from '@napi-rs/canvas';
import { drawPixels, font, INK, MUTED, PAPER } from '../src/encode/drawing.js';
import { fitNetwork, fittedScene, loadTargetImage } from '../src/fit/index.js';
import { renderStill } from '../src/render/still.js';
import { applyOverrides, loadScene, sceneFromFile, validateSceneData, type LoadedScene } from '../src/scene/index.js';

const steps = Number(process.argv[2] ?? 1500);
const out = process.argv[3] ?? 'docs/images/fit-identity-vs-tanh.png';
const SIZE = 128;
const SHOWN = 256;

const base = applyOverrides(loadScene('scenes/fit-logo.yaml'), { size: [SIZE, SIZE] });
const withActivation = (name: 'tanh' | 'identity'): LoadedScene => {
  const scene = validateSceneData({ ...base.scene, network: { ...base.scene.network, activation: name, init: 'pytorch-default' } });
  return sceneFromFile(scene, base.origin, '/', `fit-logo-${name}`, base.library);
};
const target = await loadTargetImage('scenes/targets/logo.png', SIZE, SIZE);

const panels: Array<{ title: string; note: string; rgba: Uint8ClampedArray }> = [{ title: 'target', note: 'scenes/targets/logo.png', rgba: Uint8ClampedArray.from(target.data) }];
for (const name of ['tanh', 'identity'] as const) {
  const loaded = withActivation(name);
  const fit = await fitNetwork(loaded, target, { steps, onProgress: (p) => p.step % 250 === 0 && console.error(`${name}: step ${p.step}, ${p.psnr.toFixed(2)} dB`) });
  const picture = await renderStill(fittedScene(loaded, `/tmp/fit-logo-${name}.json`, fit.weights, `fit-logo-${name}`), { at: 0 });
  panels.push({ title: `6 × ${name}`, note: `${fit.psnr.toFixed(1)} dB after ${fit.steps} steps`, rgba: new Uint8ClampedArray(picture.data.buffer, picture.data.byteOffset, picture.data.length) });
}

// Each picture at twice its size (nearest neighbour: the pixels the fit saw), with a caption.
const gap = 24;
const canvas = createCanvas(gap + panels.length * (SHOWN + gap), SHOWN + 2 * gap + 44);
const ctx = canvas.getContext('2d');
ctx.fillStyle = PAPER;
ctx.fillRect(0, 0, canvas.width, canvas.height);
panels.forEach((panel, i) => {
  const x = gap + i * (SHOWN + gap);
  const small = createCanvas(SIZE, SIZE);
  drawPixels(small.getContext('2d'), panel.rgba, SIZE, SIZE, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, SIZE, SIZE, x, gap, SHOWN, SHOWN);
  ctx.fillStyle = INK;
  ctx.font = font(15, 'bold');
  ctx.fillText(panel.title, x, gap + SHOWN + 22);
  ctx.fillStyle = MUTED;
  ctx.font = font(12);
  ctx.fillText(panel.note, x, gap + SHOWN + 40);
});
writeFileSync(out, canvas.encodeSync('png'));
console.error(`wrote ${out}`);
