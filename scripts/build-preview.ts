/**
 * Builds the preview page into dist/preview/static: the page and its CPU
 * worker bundled by esbuild for browsers (no Node APIs can slip in: the
 * bundle fails on them), plus the HTML and CSS. Run by `npm run build`, so an
 * installed package serves prebuilt files and needs no toolchain.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const page = join(root, 'src', 'preview', 'page');
const out = join(root, 'dist', 'preview', 'static');

mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(page, 'app.ts'), 'cpu-worker': join(page, 'cpu-worker.ts') },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // WebGL2 and WebAssembly SIMD: Chromium, Firefox and Safari of the last few years.
  target: ['chrome100', 'firefox100', 'safari16'],
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css', 'favicon.svg']) copyFileSync(join(page, file), join(out, file));
