/**
 * Exploring in the preview page as an artist does, in headless Chromium:
 * eight variations, one picked and kept into the YAML (comments kept, and
 * `still` renders what the page showed), a slider dragged and keyframed at
 * the moment shown, a file edited on disk meanwhile (refused, nothing lost),
 * and a page that fits a laptop's screen.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStill } from '../src/render/still.js';
import { applyOverrides, keyframeSeconds, loadScene } from '../src/scene/index.js';
import { runCli, tempDir } from './helpers.js';
import { agreement } from './fidelity.js';
import { launchChromium, pagePixels, preview, startPreview, waitFor, type Chromium, type RunningPreview } from './preview-helpers.js';
import { needs } from './system-parts.js';
import { FULL_TIER_ONLY, representative } from './tier.js';

const SCENE = `# yaml-language-server: $schema=../scene.schema.json
# A small scene to explore.
name: garden   # the outputs' name
output: { size: [64, 64], fps: 10, duration: 3 }

network:
  inputs: [x, y, r, t]   # t: time as an input
  layers: { depth: 3, width: 8 }
  activation: tanh
  output: { channels: 1 }

colour: { palette: viridis }   # greens and blues

keyframes:
  - { at: 0, seed: 4, zoom: 1.2 }   # where it starts
  - { at: 1.5, seed: 9, zoom: 0.9 }
`;

async function stillPixels(path: string, at: number, width: number, height: number): Promise<Uint8Array> {
  return (await renderStill(applyOverrides(loadScene(path), { size: [width, height] }), { at, workers: 1 })).data;
}

/** Fully inside the viewport. */
async function inView(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).first().boundingBox();
  const viewport = page.viewportSize()!;
  return !!box && box.width > 0 && box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width + 0.5 && box.y + box.height <= viewport.height + 0.5;
}

describe('exploring in the preview page', needs('chromium'), () => {
  let chrome: Chromium;
  let dir: ReturnType<typeof tempDir>;
  let scene: string;
  let server: RunningPreview;
  let page: Page;

  beforeAll(async () => {
    dir = tempDir();
    scene = join(dir.path, 'garden.yaml');
    writeFileSync(scene, SCENE);
    chrome = await launchChromium();
    server = await startPreview([scene]);
    page = await chrome.browser.newPage({ viewport: { width: 1280, height: 720 } });
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.stop();
    dir?.remove();
  });

  /** Opens the page at the printed address (with the run's key), paused, the variations drawn on the GPU. */
  async function open(): Promise<void> {
    writeFileSync(scene, SCENE);
    await page.goto(server.keyed('paused&renderer=gpu&resolution=full&explore-seed=7'));
    await waitFor(page, 'p.state.painted > 0 && p.session !== undefined');
  }

  it('shows 8 different variations; one picked and kept is in the file, comments kept, and `still` renders what the page showed', async () => {
    await open();
    await page.click('#tab-explore');
    await waitFor(page, 'p.explore.drawn > 0');
    const labels = await page.locator('.tile:not(.current) .tile-label').allTextContents();
    expect(labels).toHaveLength(8);
    const hashes = new Set<string>();
    for (let i = 0; i < 8; i++) hashes.add(createHash('sha256').update(await preview<string>(page, `p.tilePixels(${i})`)).digest('hex'));
    expect(hashes.size).toBe(8);
    // The page breeds with the library function `explore` uses: the same seed, the same variations.
    const cli = await runCli(['explore', scene, '--seed', '7', '--out', join(dir.path, 'cli')]);
    expect(cli.code, cli.stderr).toBe(0);
    expect([...cli.stderr.matchAll(/ {2}\((.+)\)\n/g)].map((m) => m[1])).toEqual(labels);

    // The nudge: a step through weight space that the file must be able to hold.
    const operators = await preview<string[]>(page, 'p.explore.variations.map((v) => v.operator)');
    const picked = operators.indexOf('nudge');
    expect(picked).toBeGreaterThanOrEqual(0);
    await page.locator('.tile:not(.current)').nth(picked).click();
    await waitFor(page, 'p.session.position === 1 && p.state.playing');
    expect(await page.locator('#changes').textContent()).toContain(labels[picked]);
    await preview(page, 'p.setPlaying(false)');
    await preview(page, 'p.seek(0.7)');
    await preview(page, 'p.settled()');
    const shown = await pagePixels(page);

    await page.click('#keep');
    await waitFor(page, 'p.keep.writes === 1');
    expect(await page.locator('#status').textContent()).toContain('Kept in');
    const text = readFileSync(scene, 'utf8');
    for (const line of ['# A small scene to explore.', 'name: garden   # the outputs\' name', '  inputs: [x, y, r, t]   # t: time as an input', 'colour: { palette: viridis }   # greens and blues']) expect(text).toContain(line);
    expect(text).toMatch(/- \{ at: 0, seed: 4, zoom: 1\.2, nudge: \[\{ seed: \d+, amount: [\d.]+ \}\] \} {3}# where it starts/);
    const still = await stillPixels(scene, 0.7, shown.width, shown.height);
    expect(agreement(shown.data, still).within).toBeGreaterThanOrEqual(0.99);
    expect(await page.locator('#keep').isDisabled()).toBe(true);

    // Undo writes back the file as it was.
    await page.click('#undo');
    await waitFor(page, 'p.keep.writes === 2');
    expect(readFileSync(scene, 'utf8')).toBe(SCENE);
  });

  it('keyframes a dragged slider at the moment shown: the keyframe is in the file, its mark on the scrubber, the picture unchanged', async () => {
    await open();
    await preview(page, 'p.seek(2.2)');
    await page.click('#tab-adjust');
    const slider = page.locator('[data-parameter="rotation"] input');
    const box = (await slider.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await waitFor(page, 'p.session.overrides.rotation !== undefined');
    const rotation = await preview<number>(page, 'p.session.overrides.rotation');
    expect(rotation).toBeGreaterThan(30);
    expect(await page.locator('[data-parameter="rotation"]').getAttribute('class')).toContain('changed');
    await preview(page, 'p.settled()');
    const shown = await pagePixels(page);

    await page.click('#keyframe');
    await waitFor(page, 'p.keep.writes === 1');
    const written = loadScene(scene).scene;
    const added = written.keyframes.find((k) => keyframeSeconds(k, 10) === 2.2);
    expect(added).toEqual({ at: 2.2, rotation });
    // Only this moment changes: the keyframes before keep the rotation they had.
    expect(written.keyframes.filter((k) => k !== added).map((k) => k.rotation)).toEqual([0, 0]);
    expect(readFileSync(scene, 'utf8')).toContain(`  - { at: 2.2, rotation: ${rotation} }`);
    await expect.poll(() => page.locator('#marks span[data-at="2.2"]').count()).toBe(1);
    const left = Number.parseFloat((await page.locator('#marks span[data-at="2.2"]').getAttribute('style'))!.replace(/^left: /, ''));
    expect(left).toBeCloseTo((100 * 2.2) / 3, 3);
    const still = await stillPixels(scene, 2.2, shown.width, shown.height);
    expect(agreement(shown.data, still).within).toBeGreaterThanOrEqual(0.99);
  });

  it('refuses to keep over a file edited on disk since the page loaded it, loses nothing, and offers to reload', async () => {
    await open();
    await page.click('#tab-explore');
    await waitFor(page, 'p.explore.drawn > 0');
    await page.locator('.tile:not(.current)').first().click();
    await waitFor(page, 'p.session.dirty');
    const edited = `${SCENE}# edited by hand while the page was open\n`;
    writeFileSync(scene, edited);
    await page.click('#keep');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toContain('changed on disk');
    expect(readFileSync(scene, 'utf8')).toBe(edited);
    // The variation is still on the page.
    expect(await preview<boolean>(page, 'p.session.dirty')).toBe(true);
    await page.click('#reload');
    await waitFor(page, '!p.session.dirty && p.session.source.text.includes("edited by hand")');
    expect(readFileSync(scene, 'utf8')).toBe(edited);
  });

  // Full tier: a refused write, said on the page and lost nothing, is checked above (a file edited on disk).
  it('says so when the answer to a write cannot be read, and Keep works again afterwards', FULL_TIER_ONLY, async () => {
    await open();
    await page.click('#tab-explore');
    await waitFor(page, 'p.explore.drawn > 0');
    await page.locator('.tile:not(.current)').first().click();
    await waitFor(page, 'p.session.dirty');
    // An answer that is no JSON, as a proxy or a server cut short might give.
    await page.route('**/api/scenes/*', (route) => (route.request().method() === 'PUT' ? route.fulfill({ status: 200, body: 'not json' }) : route.fallback()));
    try {
      await page.click('#keep');
      await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toContain('Not written');
      expect(await page.locator('#keep').isEnabled()).toBe(true);
    } finally {
      await page.unroute('**/api/scenes/*');
    }
    expect(readFileSync(scene, 'utf8')).toBe(SCENE);
    await page.click('#keep');
    await waitFor(page, '!p.session.dirty');
    expect(readFileSync(scene, 'utf8')).not.toBe(SCENE);
  });

  it('lets a page opened without the run\'s key look but not write', async () => {
    writeFileSync(scene, SCENE);
    const other = await chrome.browser.newPage({ viewport: { width: 1280, height: 720 } });
    try {
      await other.goto(`${server.url}?paused&renderer=gpu&resolution=full`);
      await waitFor(other, 'p.state.painted > 0 && p.session !== undefined');
      await preview(other, 'p.openTab("adjust")');
      await preview(other, 'p.setParameter("zoom", 2)');
      expect(await other.locator('#keep').isDisabled()).toBe(true);
      expect(await other.locator('#status').textContent()).toContain('This page can only read');
    } finally {
      await other.close();
    }
    expect(readFileSync(scene, 'utf8')).toBe(SCENE);
  });
});

describe('the preview on a laptop screen', needs('chromium'), () => {
  let chrome: Chromium;
  let dir: ReturnType<typeof tempDir>;
  let server: RunningPreview;

  beforeAll(async () => {
    dir = tempDir();
    // As many scenes as the example folder holds, with names as long as theirs.
    for (let i = 0; i < 26; i++) writeFileSync(join(dir.path, `scene-number-${String(i).padStart(2, '0')}.yaml`), SCENE.replace('name: garden', `name: scene-${i}`));
    chrome = await launchChromium();
    server = await startPreview([dir.path]);
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.stop();
    dir?.remove();
  });

  // The quick tier: the smaller laptop screen.
  for (const [screen, options] of representative(['1280x720', '1366x768'], ['1280x720'])) {
    const [width, height] = screen.split('x').map(Number);
    it(`${screen}: picture, timeline, play button and Keep fully in view with 26 scenes, on every tab`, options, async () => {
      const page = await chrome.browser.newPage({ viewport: { width, height } });
      try {
        await page.goto(server.keyed('paused&renderer=gpu&scene=scene-number-25'));
        await waitFor(page, 'p.state.painted > 0');
        for (const tab of ['scene', 'explore', 'adjust']) {
          await preview(page, `p.openTab(${JSON.stringify(tab)})`);
          for (const selector of ['#gpu-canvas', '#play', '#scrubber', '#clock', '#keep', '#keyframe', '#tab-explore']) expect(await inView(page, selector), `${selector} on the ${tab} tab`).toBe(true);
          // The scene list stays one row: the picture keeps its room.
          expect((await page.locator('header').boundingBox())!.height).toBeLessThan(60);
          expect((await page.locator('#gpu-canvas').boundingBox())!.height).toBeGreaterThan(height * 0.6);
        }
        // The current scene's chip is scrolled into view.
        expect(await inView(page, '#scenes button.current')).toBe(true);
      } finally {
        await page.close();
      }
    });
  }
});
