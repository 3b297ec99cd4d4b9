/**
 * The preview as people start it: through npx, which runs it under npm and
 * a shell. Stopping npm by its pid stops the server too; --open says when no
 * browser came, with the URL to open by hand.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.js';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

const started: ChildProcess[] = [];
afterEach(() => {
  // Each was started in a process group of its own: whatever is left of it goes.
  for (const child of started.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/** Every process below `pid`, from `ps`. */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=', '-ww'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, ppid] of rows) {
      if (ppid !== parent) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the first line the child prints on stdout. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`exited with ${code} before printing a URL: ${err}`)));
  });
}

async function until(test: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (test()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return test();
}

describe.runIf(process.platform === 'linux')('preview started through npx', () => {
  it('stops serving when the npx process is killed by its pid', async () => {
    const npx = spawn('npx', ['cppn-motion', 'preview', join(ROOT, 'scenes', 'drift.yaml')], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(npx);
    const url = await firstLine(npx);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/(\?key=[\w-]+)?$/);
    // npm, a shell, then node serving: the server is a grandchild of the pid a task runner knows.
    const below = descendants(npx.pid!);
    expect(below.length).toBeGreaterThanOrEqual(1);
    expect((await fetch(url)).status).toBe(200);

    process.kill(npx.pid!, 'SIGTERM');
    expect(await until(() => below.every((pid) => !alive(pid)), 5000), `still running: ${below.filter(alive).join(', ')}`).toBe(true);
    await expect(fetch(url)).rejects.toThrow();
  }, 60_000);
});

describe.runIf(process.platform === 'linux')('preview --open', () => {
  it('says when there is no display to open a browser on, with the URL, and goes on serving', async () => {
    const env = { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' };
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'preview', join(ROOT, 'scenes', 'drift.yaml'), '--open', '--quiet'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await firstLine(child);
    expect(await until(() => stderr.includes('warning:'), 5000)).toBe(true);
    expect(stderr).toContain(`warning: --open: there is no display to open a browser on (neither DISPLAY nor WAYLAND_DISPLAY is set); open ${url} in a browser yourself`);
    expect((await fetch(url)).status).toBe(200);
  }, 30_000);

  it('says when the opener finds no browser (xdg-open exits with an error), with the URL', async () => {
    const bin = join(dir.path, 'bin');
    mkdirSync(bin);
    // An xdg-open that finds no browser, as Debian's does on a machine without one.
    writeFileSync(join(bin, 'xdg-open'), '#!/bin/sh\necho "xdg-open: no method available for opening \'$1\'" >&2\nexit 3\n');
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const env = { ...process.env, DISPLAY: ':99', PATH: `${bin}:${process.env.PATH}` };
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'preview', join(ROOT, 'scenes', 'drift.yaml'), '--open'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await firstLine(child);
    expect(await until(() => stderr.includes('warning:'), 5000), stderr).toBe(true);
    expect(stderr).toContain(`warning: --open: xdg-open found no browser to open the page (exit code 3); open ${url} in a browser yourself`);
  }, 30_000);
});
