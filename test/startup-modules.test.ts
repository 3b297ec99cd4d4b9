/**
 * What the command line and each render thread load when they start: every
 * command, and every worker of every render, pays for it. The command line
 * is one bundle (scripts/build-cli.ts) with its chunks; the scene's schema
 * (zod) and the YAML parser are for the main thread, not the workers; the
 * queue's libraries (BullMQ, ioredis) only for --redis, and the GPU package
 * only for a render that may use the GPU.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallScene, tempDir, writeScene } from './helpers.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
  // A module hook that prints every module the thread's entry loads.
  writeFileSync(join(dir.path, 'hook.mjs'), 'export async function resolve(s, c, next) { const r = await next(s, c); console.log(r.url); return r; }\n');
  writeFileSync(join(dir.path, 'register.mjs'), "import { register } from 'node:module';\nregister('./hook.mjs', import.meta.url);\n");
});
afterAll(() => dir.remove());

/** The modules Node loads for `args` (a script and its arguments, or -e code), in order. */
function modulesLoaded(args: string[]): string[] {
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir.path, 'register.mjs')).href, ...args], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter((line) => line.startsWith('file:'));
}

function modulesLoadedBy(entry: string): string[] {
  const url = pathToFileURL(join(import.meta.dirname, '..', 'dist', entry)).href;
  return modulesLoaded(['--input-type=module', '-e', `await import(${JSON.stringify(url)})`]);
}

describe('start-up', () => {
  it('a render worker loads its own modules, without the schema library or the YAML parser', () => {
    const modules = modulesLoadedBy('render/worker.js');
    expect(modules.some((m) => m.endsWith('/dist/core/kernel/wasm-kernel.js'))).toBe(true);
    expect(modules.filter((m) => /\/node_modules\/(zod|yaml)\//.test(m))).toEqual([]);
  });

  it("the GIF encoder's thread does not load them either", () => {
    const modules = modulesLoadedBy('encode/gif/gif-thread.js');
    expect(modules.some((m) => m.endsWith('/dist/encode/gif/coder-kernel.js'))).toBe(true);
    expect(modules.filter((m) => /\/node_modules\/(zod|yaml)\//.test(m))).toEqual([]);
  });

  it('the command line loads its bundle, not the modules one by one, and the queue libraries only for a command given --redis', () => {
    const cli = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');
    const modules = modulesLoaded([cli, 'render', '--help']);
    const dist = `${pathToFileURL(join(import.meta.dirname, '..', 'dist')).href}/`;
    const own = modules.filter((m) => m.startsWith(dist));
    expect(own[0]).toMatch(/\/dist\/cli\/main\.js$/);
    expect(own.filter((m) => !/\/dist\/cli\/(main|chunk-\w+)\.js$/.test(m))).toEqual([]);
    expect(modules.filter((m) => /\/node_modules\/(zod|yaml|commander)\//.test(m))).toEqual([]);
    expect(modules.filter((m) => /\/node_modules\/(bullmq|ioredis)\//.test(m))).toEqual([]);
  });

  it('a render on the CPU never loads the GPU package (webgpu)', () => {
    const cli = join(import.meta.dirname, '..', 'dist', 'cli', 'main.js');
    const scene = writeScene(dir.path, 'cpu-only', smallScene('cpu-only'));
    const modules = modulesLoaded([cli, 'render', scene, '--backend', 'cpu', '--format', 'mp4', '--quiet', '--out', join(dir.path, 'cpu-only')]);
    expect(modules.filter((m) => /\/dist\/cli\/chunk-\w+\.js$/.test(m)).length).toBeGreaterThan(0);
    expect(modules.filter((m) => /\/node_modules\/webgpu\//.test(m))).toEqual([]);
  });
});
