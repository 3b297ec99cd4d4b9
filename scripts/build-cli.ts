/**
 * Bundles the command line into dist/cli/main.js (and the chunks it loads
 * on demand, beside it), over the module tsc compiled there: a command then
 * loads a few files instead of hundreds of modules, and starts sooner
 * (docs/performance.md, "Test suite", has the figures). The worker threads,
 * the library (dist/index.js) and the declarations stay tsc's.
 *
 * Packages stay outside the bundle where they find files of their own by
 * path (native binaries, ffmpeg, BullMQ's scripts, piscina's worker), or
 * are loaded only for some commands and are large (vega).
 */
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'dist', 'cli');

const OWN_FILES_OR_LARGE = ['@ffmpeg-installer/ffmpeg', '@napi-rs/canvas', '@resvg/resvg-js', 'bullmq', 'ioredis', 'piscina', 'vega', 'vega-lite', 'webgpu'];

for (const name of readdirSync(out)) if (/^chunk-.*\.js(\.map)?$/.test(name)) rmSync(join(out, name));
await build({
  entryPoints: { main: join(root, 'src', 'cli', 'main.ts') },
  outdir: out,
  bundle: true,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: OWN_FILES_OR_LARGE,
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module';\nconst require = createRequireForBundle(import.meta.url);" },
  // package-files.ts: from the bundle, the compiled modules are a folder up.
  define: { CPPN_MOTION_CLI_BUNDLE: 'true' },
  sourcemap: true,
  logLevel: 'warning',
});
