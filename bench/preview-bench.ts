/**
 * The live preview's speed in headless Chromium: frames per second of the
 * showcase scene (scenes/drift.yaml) on the GPU path at 256², 512² and 1024²,
 * of the CPU fallback (the WebAssembly kernel in a worker) at 256² and 512²,
 * the time from saving the YAML to the new picture on the page, the time
 * to save the frame shown as a PNG, and the time from a click on "More like
 * this" to all eight variations drawn at 256² (the explore panel), on each path.
 *
 *   npm run bench:preview                       # software WebGL (SwiftShader)
 *   PREVIEW_GL=gpu npm run bench:preview        # the machine's GPU, where it has one
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { ROOT } from '../test/helpers.js';
import { CHROMIUM, CHROMIUM_ARGS, preview, startPreview, waitFor } from '../test/preview-helpers.js';

const FRAMES = Number(process.env.PREVIEW_FRAMES ?? 20);
const useGpu = process.env.PREVIEW_GL === 'gpu';
const args = useGpu ? CHROMIUM_ARGS.filter((a) => !/swiftshader/.test(a) && a !== '--use-gl=angle').concat('--enable-gpu', '--ignore-gpu-blocklist') : CHROMIUM_ARGS;

const folder = mkdtempSync(join(tmpdir(), 'cppn-motion-preview-bench-'));
const scene = join(folder, 'drift.yaml');
copyFileSync(join(ROOT, 'scenes', 'drift.yaml'), scene);
const server = await startPreview([scene]);
// The page is opened at the printed address (with the run's key) and the variations seeded, so every run breeds the same ones.
const browser = await chromium.launch({ executablePath: CHROMIUM, args });

async function open(query: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
  await page.goto(server.keyed(`paused&explore-seed=1&${query}`));
  await waitFor(page, 'p.state.painted > 0', 120_000);
  return page;
}

/** Milliseconds from a click on "More like this" to every variation drawn, `rounds` times (the first breed, on opening the panel, is not counted). */
async function breeds(page: Page, rounds: number): Promise<number[]> {
  await page.click('#tab-explore');
  await waitFor(page, 'p.explore.drawn > 0', 300_000);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const drawn = await preview<number>(page, 'p.explore.drawn');
    await page.click('#breed');
    await waitFor(page, `p.explore.drawn > ${drawn}`, 300_000);
    times.push(await preview<number>(page, 'p.explore.drawMs'));
  }
  return times.sort((a, b) => a - b);
}

const BREEDS = Number(process.env.PREVIEW_BREEDS ?? 5);

function describeTimes(times: number[]): string {
  return `median ${times[Math.floor(times.length / 2)].toFixed(0)} ms, range ${times[0].toFixed(0)}–${times[times.length - 1].toFixed(0)} ms (${times.length} breeds)`;
}

async function fps(page: Page, resolution: string, frames: number): Promise<number> {
  await preview(page, `p.setResolution(${JSON.stringify(resolution)})`);
  await preview(page, 'p.benchmark(2)'); // warm-up: programs compiled, textures sized
  return preview<number>(page, `p.benchmark(${frames})`);
}

try {
  const gpuPage = await open('renderer=gpu&resolution=256');
  const renderer = (await gpuPage.locator('#renderer').textContent()) ?? '';
  console.log(`chromium ${browser.version()}; ${renderer}`);
  console.log(`scene: scenes/drift.yaml (x, y, r, t → 8 tanh layers of 16 → 1, palette); ${FRAMES} frames per size`);
  for (const side of ['256', '512', '1024']) {
    console.log(`GPU path  ${side}²: ${(await fps(gpuPage, side, side === '1024' ? Math.max(3, FRAMES / 4) : FRAMES)).toFixed(1)} frames/s`);
  }

  // Save → picture: from writing the file to the page having painted the new scene.
  await preview(gpuPage, 'p.setResolution("512")');
  const original = readFileSync(scene, 'utf8');
  const reloads: number[] = [];
  for (let i = 0; i < 5; i++) {
    const loads = await preview<number>(gpuPage, 'p.state.loads');
    const started = performance.now();
    writeFileSync(scene, `${original}\ncolour: { hue: ${30 * (i + 1)} }\n`);
    await waitFor(gpuPage, `p.state.loads > ${loads}`);
    reloads.push(performance.now() - started);
  }
  writeFileSync(scene, original);
  reloads.sort((a, b) => a - b);
  console.log(`save YAML → new picture (512², 5 saves): median ${reloads[2].toFixed(0)} ms, range ${reloads[0].toFixed(0)}–${reloads[4].toFixed(0)} ms`);

  const saves: number[] = [];
  await gpuPage.evaluate('window.URL.revokeObjectURL = () => {}');
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const download = gpuPage.waitForEvent('download');
    await preview(gpuPage, 'p.savePng()');
    await download;
    saves.push(performance.now() - started);
  }
  saves.sort((a, b) => a - b);
  console.log(`save frame as PNG (512², with the scene in it): median ${saves[2].toFixed(0)} ms`);
  console.log(`explore, click → 8 variations drawn at 256², GPU path: ${describeTimes(await breeds(gpuPage, BREEDS))}`);
  await gpuPage.close();

  const cpuPage = await open('renderer=cpu&resolution=256');
  for (const side of ['256', '512']) {
    console.log(`CPU fallback ${side}²: ${(await fps(cpuPage, side, Math.max(3, FRAMES / 2))).toFixed(1)} frames/s`);
  }
  console.log(`explore, click → 8 variations drawn at 256², CPU fallback: ${describeTimes(await breeds(cpuPage, BREEDS))}`);
  await cpuPage.close();
} finally {
  await browser.close();
  await server.stop();
  rmSync(folder, { recursive: true, force: true });
}
