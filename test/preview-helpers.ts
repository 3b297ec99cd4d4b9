/** Shared by the preview tests and the preview benchmark: the preview server as a user starts it, and headless Chromium. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CLI, ROOT } from './helpers.js';
import { CHROMIUM } from './system-parts.js';

export { CHROMIUM } from './system-parts.js';

/** Software WebGL2 (SwiftShader through ANGLE): what CI machines without a GPU offer. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface RunningPreview {
  /** The page's address without the run's key: a page opened here can read but not write. */
  url: string;
  /** The run's key (the printed address carries it; writes need it). */
  key: string;
  /** The page's address as printed, with `query` added: a page opened here can write. */
  keyed: (query?: string) => string;
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

/** `cppn-motion preview …args` from the build; resolves once it prints its URL. */
export function startPreview(args: string[], cwd = ROOT): Promise<RunningPreview> {
  const child = spawn(process.execPath, [CLI, 'preview', ...args], { cwd });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return new Promise((done, fail) => {
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const printed = /(http:\/\/127\.0\.0\.1:\d+\/)\?key=([\w-]+)\n/.exec(stdout);
      if (printed) {
        const [, url, key] = printed;
        const keyed = (query = ''): string => `${url}?key=${key}${query ? `&${query}` : ''}`;
        done({ url, key, keyed, child, stderr: () => stderr, stop: async () => (child.kill('SIGINT'), exited) });
      }
    });
    void exited.then((code) => fail(new Error(`preview exited with ${code}: ${stderr}`)));
  });
}

export interface Chromium {
  browser: Browser;
  close: () => Promise<void>;
}

/**
 * Headless Chromium: under vitest, a connection to the run's one browser
 * (global-setup.ts), whose close only disconnects; elsewhere (a benchmark) a
 * launch of its own. Each page a suite opens gets a context, and so a
 * profile, of its own either way.
 */
export async function launchChromium(): Promise<Chromium> {
  // Imported here, not above: the benchmarks load this file outside vitest.
  const endpoint = process.env.VITEST ? (await import('vitest')).inject('chromiumEndpoint') : undefined;
  const browser = endpoint ? await chromium.connect(endpoint) : await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return { browser, close: () => browser.close() };
}

export interface PagePixels {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The pixels on the page's canvas (RGBA, rows from the top). */
export async function pagePixels(page: Page): Promise<PagePixels> {
  const shot = await preview<{ width: number; height: number; base64: string }>(page, 'p.pixels()');
  return { width: shot.width, height: shot.height, data: new Uint8Array(Buffer.from(shot.base64, 'base64')) };
}

/** Evaluates `expression` against the page's `cppnPreview` handle. */
export function preview<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(`(() => { const p = window.cppnPreview; return ${expression}; })()`) as Promise<T>;
}

/** Waits until `condition` (an expression over `p`, the page's handle) holds. */
export async function waitFor(page: Page, condition: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(`(() => { const p = window.cppnPreview; return p && (${condition}); })()`, undefined, { timeout });
}
