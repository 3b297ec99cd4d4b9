/**
 * The live preview as a user meets it: `cppn-motion preview` serving a page
 * that headless Chromium (software WebGL2) plays; the server's refusal of
 * every path it was not given.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStill } from '../src/render/still.js';
import { applyOverrides, loadScene } from '../src/scene/index.js';
import { readPng, ROOT, runCli, tempDir } from './helpers.js';
import { launchChromium, pagePixels, preview, startPreview, waitFor, type Chromium, type RunningPreview } from './preview-helpers.js';
import { activationParityScene, agreement, CHAOTIC, CHAOTIC_PSNR, PARITY_ACTIVATIONS } from './fidelity.js';
import { needs } from './system-parts.js';
import { EXAMPLE_PICKS, PARITY_ACTIVATION_PICKS, representative } from './tier.js';

const SCENES = join(ROOT, 'scenes');

/** GET with the path sent exactly as written (fetch would tidy `..` away first). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((done, fail) => {
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** The weights files weights-morph.yaml names (others in scenes/weights belong to other scenes), in their order. */
function morphWeights(): string[] {
  return [...new Set([...readFileSync(join(SCENES, 'weights-morph.yaml'), 'utf8').matchAll(/weights\/([\w.-]+\.json)/g)].map((m) => m[1]))];
}

/** A folder holding a scene with a weights file, a stray file, a secret next door and links out. */
function sceneFolder(): { root: string; folder: string; scene: string; remove: () => void } {
  const dir = tempDir();
  const folder = join(dir.path, 'work');
  mkdirSync(join(folder, 'weights'), { recursive: true });
  const named = morphWeights();
  for (const name of named) copyFileSync(join(SCENES, 'weights', name), join(folder, 'weights', name));
  copyFileSync(join(SCENES, 'weights-morph.yaml'), join(folder, 'scene.yaml'));
  copyFileSync(join(SCENES, 'drift.yaml'), join(folder, 'drift.yaml'));
  writeFileSync(join(folder, 'notes.txt'), 'not for the web\n');
  writeFileSync(join(dir.path, 'secret.txt'), 'secret\n');
  symlinkSync(join(dir.path, 'secret.txt'), join(folder, 'link-out.txt'));
  symlinkSync(dir.path, join(folder, 'parent'));
  return { root: dir.path, folder, scene: join(folder, 'scene.yaml'), remove: dir.remove };
}

describe('preview server', () => {
  let folder: ReturnType<typeof sceneFolder>;
  let server: RunningPreview;

  beforeAll(async () => {
    folder = sceneFolder();
    server = await startPreview([folder.scene]);
  });
  afterAll(async () => {
    await server?.stop();
    folder?.remove();
  });

  it('prints a URL on 127.0.0.1 and serves the scene and the weights files it names', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const scene = await rawGet(server.url, '/files/0/scene.yaml');
    expect(scene.status).toBe(200);
    expect(scene.body).toBe(readFileSync(folder.scene, 'utf8'));
    const weights = readdirSync(join(folder.folder, 'weights'));
    for (const name of weights) expect((await rawGet(server.url, `/files/0/weights/${name}`)).status).toBe(200);
    expect((await rawGet(server.url, '/')).body).toContain('cppn-motion preview');
  });

  it.each([
    ['.. in the path', '/files/0/../secret.txt'],
    ['.. twice', '/files/0/weights/../../secret.txt'],
    ['encoded ..', '/files/0/%2e%2e/secret.txt'],
    ['encoded .. and slash', '/files/0/%2e%2e%2fsecret.txt'],
    ['encoded backslash', '/files/0/..%5csecret.txt'],
    ['double-encoded ..', '/files/0/%252e%252e/secret.txt'],
    ['a symlink to a file outside the folder', '/files/0/link-out.txt'],
    ['a symlink to the folder above', '/files/0/parent/secret.txt'],
    ['a file next to the scene that it does not use', '/files/0/notes.txt'],
    ['a scene it was not given', '/files/0/drift.yaml'],
    ['an absolute path', '/etc/passwd'],
    ['.. from the root', '/../../etc/passwd'],
    ['a scene number it does not have', '/files/7/scene.yaml'],
    ['the static folder by ..', '/../package.json'],
  ])('answers 404 to %s', async (_name, path) => {
    const response = await rawGet(server.url, path);
    expect(response.status).toBe(404);
    expect(response.body).not.toContain('secret');
  });

  it('refuses a missing scene file with exit code 2 and a clear message', async () => {
    const result = await runCli(['preview', 'no-such-scene.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('scene file no-such-scene.yaml does not exist');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a port that is taken with exit code 2', async () => {
    const port = new URL(server.url).port;
    const result = await runCli(['preview', folder.scene, '--port', port]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`port ${port} is already in use`);
  });

  it('stops on Ctrl-C with exit code 130', async () => {
    const other = await startPreview([folder.scene]);
    expect(await other.stop()).toBe(130);
  });
});

describe('preview in headless Chromium', needs('chromium'), () => {
  let chrome: Chromium;
  let folder: ReturnType<typeof sceneFolder>;
  let server: RunningPreview;
  let page: Page;

  beforeAll(async () => {
    chrome = await launchChromium();
    folder = sceneFolder();
    server = await startPreview([folder.scene, join(folder.folder, 'drift.yaml')]);
    page = await chrome.browser.newPage({ acceptDownloads: true });
    await page.goto(`${server.url}?paused&renderer=gpu&resolution=256`);
    await waitFor(page, 'p.state.painted > 0');
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.stop();
    folder?.remove();
  });

  async function stillPixels(path: string, at: number, width: number, height: number): Promise<Uint8Array> {
    const loaded = applyOverrides(loadScene(path), { size: [width, height] });
    return (await renderStill(loaded, { at, workers: 1 })).data;
  }

  it('paints the scene on the GPU: not blank, and the frame at t is the CLI still', async () => {
    expect(await page.locator('#renderer').textContent()).toContain('WebGL2');
    await preview(page, 'p.seek(1.25)');
    const shown = await pagePixels(page);
    expect([shown.width, shown.height]).toEqual([256, 256]);
    const values = new Set(shown.data.filter((_, i) => i % 4 !== 3));
    expect(values.size).toBeGreaterThan(50);
    const still = await stillPixels(folder.scene, 1.25, 256, 256);
    expect(agreement(shown.data, still).within).toBeGreaterThanOrEqual(0.99);
  });

  it('moves the picture with the scrubber, and shows the time and frame number', async () => {
    await preview(page, 'p.seek(0)');
    const before = await pagePixels(page);
    await page.locator('#scrubber').fill('2');
    await waitFor(page, 'p.state.time === 2');
    const after = await pagePixels(page);
    expect(agreement(before.data, after.data).within).toBeLessThan(0.9);
    expect(await page.locator('#clock').textContent()).toMatch(/^2\.00 s · frame 60 \/ \d+$/);
    expect(await page.locator('#marks span').count()).toBeGreaterThanOrEqual(2);
  });

  it('saves a PNG that `still --from` renders to the same picture', async () => {
    await preview(page, 'p.seek(1.5)');
    const downloading = page.waitForEvent('download');
    await page.keyboard.press('s');
    const download = await downloading;
    const saved = join(folder.root, download.suggestedFilename());
    await download.saveAs(saved);
    const again = join(folder.root, 'again.png');
    // Saved elsewhere, the picture reads the weights files its scene names only beside it (docs/limits.md).
    const refused = await runCli(['still', '--from', saved, '--at', '1.5', '--out', again, '--quiet']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`its stored scene takes weights from ${morphWeights().join(', ')}`);
    for (const name of morphWeights()) copyFileSync(join(folder.folder, 'weights', name), join(folder.root, name));
    const result = await runCli(['still', '--from', saved, '--at', '1.5', '--out', again, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const [a, b] = [await readPng(saved), await readPng(again)];
    expect([b.width, b.height]).toEqual([256, 256]);
    expect(agreement(a.data, b.data).within).toBeGreaterThanOrEqual(0.99);
    expect(await page.locator('#commands').textContent()).toContain(`still --from ${download.suggestedFilename()} --at 1.50`);
  });

  it('updates the picture when the YAML is saved, keeping the time; shows located errors over the last good picture; clears them when fixed', async () => {
    await preview(page, 'p.seek(1)');
    const time = await preview<number>(page, 'p.state.time');
    const before = await pagePixels(page);
    const original = readFileSync(folder.scene, 'utf8');
    let loads = await preview<number>(page, 'p.state.loads');
    writeFileSync(folder.scene, `${original}\ncolour: { hue: 150 }\n`);
    await waitFor(page, `p.state.loads > ${loads}`);
    expect(await preview<number>(page, 'p.state.time')).toBe(time);
    expect(await preview<string | undefined>(page, 'p.state.error')).toBeUndefined();
    const recoloured = await pagePixels(page);
    expect(agreement(before.data, recoloured.data).within).toBeLessThan(0.9);
    expect(agreement(recoloured.data, await stillPixels(folder.scene, 1, 256, 256)).within).toBeGreaterThanOrEqual(0.99);

    loads = await preview<number>(page, 'p.state.loads');
    const broken = original.replace(/activation: \w+/, 'activation: tanhh');
    writeFileSync(folder.scene, broken);
    await waitFor(page, `p.state.loads > ${loads}`);
    await expect.poll(() => page.locator('#overlay').isVisible()).toBe(true);
    const shownError = (await page.locator('#overlay-text').textContent()) ?? '';
    const validate = await runCli(['validate', folder.scene]);
    expect(validate.code).toBe(2);
    const cliError = validate.stderr.replace(/^error: /, '').split('\nhint:')[0].trim();
    // The same located message, file:line:column, key path and what is allowed; the page names the file as it was given.
    expect(shownError).toMatch(/scene\.yaml:\d+:\d+: network\.activation/);
    expect(shownError.replace(folder.scene, '')).toBe(cliError.replace(folder.scene, ''));
    expect(shownError).toContain('tanh');
    const underneath = await pagePixels(page);
    expect(agreement(underneath.data, recoloured.data).within).toBe(1);

    loads = await preview<number>(page, 'p.state.loads');
    writeFileSync(folder.scene, original);
    await waitFor(page, `p.state.loads > ${loads}`);
    await expect.poll(() => page.locator('#overlay').isVisible()).toBe(false);
    expect(agreement((await pagePixels(page)).data, before.data).within).toBeGreaterThanOrEqual(0.99);
  });

  it('lists several scenes and switches between them', async () => {
    const buttons = page.locator('#scenes button');
    expect(await buttons.allTextContents()).toEqual(['scene', 'drift']);
    await buttons.nth(1).click();
    await waitFor(page, 'p.state.current === 1 && p.state.loaded?.model.name === "drift"');
    await preview(page, 'p.seek(0.5)');
    const shown = await pagePixels(page);
    expect(agreement(shown.data, await stillPixels(join(folder.folder, 'drift.yaml'), 0.5, shown.width, shown.height)).within).toBeGreaterThanOrEqual(0.99);
  });

  it('shows the network, the inspect statistics and the grey-goo warning', async () => {
    const goo = await startPreview([join(SCENES, 'grey-goo.yaml')]);
    const other = await chrome.browser.newPage();
    try {
      await other.goto(`${goo.url}?paused&renderer=gpu&resolution=128`);
      await expect.poll(() => other.locator('#warnings').textContent(), { timeout: 30_000 }).toContain('grey goo');
      expect(await other.locator('#network').textContent()).toMatch(/8×16 tanh/);
      expect(await other.locator('#stats').textContent()).toContain('layer');
    } finally {
      await other.close();
      await goo.stop();
    }
  });

  it('prefers the CPU kernel over software WebGL, and says so', async () => {
    const other = await chrome.browser.newPage();
    try {
      await other.goto(`${server.url}?paused&resolution=128`);
      await waitFor(other, 'p.state.painted > 0');
      expect(await other.locator('#renderer').textContent()).toContain('CPU');
      expect(await other.locator('#notice').textContent()).toContain('software');
    } finally {
      await other.close();
    }
  });

  it('falls back to the CPU kernel in a worker, with a message, when WebGL2 is missing', async () => {
    const other = await chrome.browser.newPage();
    try {
      // A browser without WebGL2: canvases refuse the context.
      await other.addInitScript(`{
        const original = HTMLCanvasElement.prototype.getContext;
        HTMLCanvasElement.prototype.getContext = function (type, ...rest) { return type === 'webgl2' ? null : original.call(this, type, ...rest); };
      }`);
      await other.goto(`${server.url}?paused&resolution=128&scene=drift`);
      await waitFor(other, 'p.state.painted > 0 && p.state.loaded?.model.name === "drift"');
      expect(await other.locator('#notice').textContent()).toContain('cannot run here');
      expect(await other.locator('#renderer').textContent()).toContain('CPU');
      const shown = await pagePixels(other);
      const still = await stillPixels(join(folder.folder, 'drift.yaml'), 0, shown.width, shown.height);
      // The same WebAssembly kernel as the command line: the same pixels, bit for bit.
      expect(Buffer.from(shown.data).equals(Buffer.from(still))).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe('preview parity with `still` for every example scene', needs('chromium'), () => {
  const names = readdirSync(SCENES).filter((f) => f.endsWith('.yaml') && f !== 'series.yaml').map((f) => f.replace(/\.yaml$/, ''));
  let chrome: Chromium;
  let server: RunningPreview;
  let page: Page;

  beforeAll(async () => {
    chrome = await launchChromium();
    server = await startPreview([SCENES]);
    page = await chrome.browser.newPage();
    await page.goto(`${server.url}?paused&renderer=gpu&resolution=128`);
    await waitFor(page, 'p.state.painted > 0');
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.stop();
  });

  // Software GL takes its time over the widest networks (4 layers of 128).
  for (const [name, options] of representative(names, EXAMPLE_PICKS)) {
    it(name, { ...options, timeout: 300_000 }, async () => {
      const id = await preview<number>(page, `p.state.entries.find((e) => e.name === ${JSON.stringify(name)}).id`);
      await preview(page, `p.selectScene(${id})`);
      await waitFor(page, `p.state.current === ${id} && p.state.loaded?.origin.endsWith(${JSON.stringify(`${name}.yaml`)})`);
      for (const at of [0, 1.3]) {
        await preview(page, `p.seek(${at})`);
        const shown = await pagePixels(page);
        const loaded = applyOverrides(loadScene(join(SCENES, `${name}.yaml`)), { size: [shown.width, shown.height] });
        const still = (await renderStill(loaded, { at, workers: 1 })).data;
        const { within, psnr } = agreement(shown.data, still);
        if (CHAOTIC.has(name)) expect(psnr, `${name} at ${at} s`).toBeGreaterThanOrEqual(CHAOTIC_PSNR);
        else expect(within, `${name} at ${at} s`).toBeGreaterThanOrEqual(0.99);
      }
    });
  }
});

describe('preview parity with `still` for every activation, input and colour stage', needs('chromium'), () => {
  const ACTIVATIONS = PARITY_ACTIVATIONS;
  const sceneFor = (activation: string): string => activationParityScene(activation);
  let chrome: Chromium;
  let dir: ReturnType<typeof tempDir>;
  let server: RunningPreview;
  let page: Page;

  beforeAll(async () => {
    dir = tempDir();
    for (const name of ACTIVATIONS) writeFileSync(join(dir.path, `${name}.yaml`), `${sceneFor(name)}\n`);
    chrome = await launchChromium();
    server = await startPreview([dir.path]);
    page = await chrome.browser.newPage();
    await page.goto(`${server.url}?paused&renderer=gpu&resolution=full`);
    await waitFor(page, 'p.state.painted > 0');
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.stop();
    dir?.remove();
  });

  for (const [name, options] of representative(ACTIVATIONS, PARITY_ACTIVATION_PICKS)) {
    it(name, options, async () => {
      const id = await preview<number>(page, `p.state.entries.find((e) => e.name === ${JSON.stringify(name)}).id`);
      await preview(page, `p.selectScene(${id})`);
      await waitFor(page, `p.state.current === ${id} && p.state.loaded?.model.name === ${JSON.stringify(name)}`);
      for (const at of [0.4, 1.5]) {
        await preview(page, `p.seek(${at})`);
        const shown = await pagePixels(page);
        expect([shown.width, shown.height]).toEqual([96, 64]);
        const still = (await renderStill(loadScene(join(dir.path, `${name}.yaml`)), { at, workers: 1 })).data;
        const { within, psnr } = agreement(shown.data, still);
        if (name === 'logistic') expect(psnr, `${name} at ${at} s`).toBeGreaterThanOrEqual(CHAOTIC_PSNR);
        else expect(within, `${name} at ${at} s`).toBeGreaterThanOrEqual(0.99);
      }
    });
  }
});
