/** Shared helpers for the end-to-end tests: run the built CLI, read images, measure them. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { decodePng } from '../src/encode/png.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  /** The signal that ended the process, if one did (a crash: SIGILL, SIGSEGV…). */
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A small, quick scene (48×32, 1 s at 12 fps, MP4 and GIF) named `name`. */
export function smallScene(name: string): string {
  return `
name: ${name}
output: { size: [48, 32], fps: 12, duration: 1, formats: [mp4, gif] }
network:
  inputs: [x, y, r, t]
  layers: { depth: 4, width: 8 }
  output: { channels: 3, activation: sigmoid }
keyframes:
  - { at: 0, seed: 2, zoom: 1 }
  - { at: 0.5, seed: 3, zoom: 1.5 }
`;
}

/** Runs `cppn-motion ...args` from the build, as a user would. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; stdoutFile?: string } = {}): Promise<CliResult> {
  return new Promise((done) => {
    // stdoutFile: stdout goes straight to that file, as with `> file` in a shell.
    const stdoutFd = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, 'w');
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['pipe', stdoutFd ?? 'pipe', 'pipe'] });
    if (stdoutFd !== undefined) closeSync(stdoutFd);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (options.input !== undefined) child.stdin!.end(options.input);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'cppn-motion-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export async function readPng(path: string): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  return decodePng(readFileSync(path));
}

export function sha256(data: Uint8Array | Uint8ClampedArray): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Mean and standard deviation of the RGB values (alpha ignored), in 8-bit units. */
export function rgbStats(rgba: Uint8Array | Uint8ClampedArray): { mean: number; std: number } {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const v = rgba[i + c];
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
}

export function distinctColours(rgba: Uint8Array | Uint8ClampedArray): number {
  const seen = new Set<number>();
  for (let i = 0; i < rgba.length; i += 4) seen.add((rgba[i] << 16) | (rgba[i + 1] << 8) | rgba[i + 2]);
  return seen.size;
}

export interface Probe {
  streams: Array<{ codec_name: string; pix_fmt?: string; width: number; height: number; nb_read_frames?: string; avg_frame_rate?: string }>;
  format: { duration?: string; format_name: string; tags?: Record<string, string> };
}

/** ffprobe (shipped by @ffprobe-installer/ffprobe) with the decoded frame count. */
export async function ffprobe(file: string): Promise<Probe> {
  const { path } = (await import('@ffprobe-installer/ffprobe')).default as { path: string };
  return new Promise((done, fail) => {
    const child = spawn(path, ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,pix_fmt,width,height,nb_read_frames,avg_frame_rate:format=duration,format_name:format_tags', '-of', 'json', file]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? done(JSON.parse(out) as Probe) : fail(new Error(`ffprobe ${file}: ${err}`))));
  });
}

/** Writes a scene file into `dir` and returns its path. */
export function writeScene(dir: string, name: string, yaml: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, yaml);
  return path;
}

/**
 * A scratch folder for the calling test file, with the scene `yaml` written
 * in it as `<name>.yaml`: made before the file's tests, removed after them.
 */
export function useSceneFolder(name: string, yaml: string): { readonly dir: string; readonly scene: string } {
  let folder: ReturnType<typeof tempDir> | undefined;
  let scene: string | undefined;
  beforeAll(() => {
    folder = tempDir();
    scene = writeScene(folder.path, name, yaml);
  });
  afterAll(() => folder?.remove());
  const made = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the scene folder is used before the tests start');
    return value;
  };
  return {
    get dir() {
      return made(folder).path;
    },
    get scene() {
      return made(scene);
    },
  };
}

/** Every file under `dir` (recursively) with its hash, the disk filler excepted. */
export function snapshot(dir: string, skip: (name: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (name === 'filler' || skip(name)) continue;
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = sha256(readFileSync(path));
    }
  };
  walk(dir);
  return out;
}

/** Temporary outputs (`.name.partial-…`) left anywhere under `dir`. */
export function temporaries(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (/\.partial-/.test(name)) found.push(relative(dir, path));
      else if (statSync(path).isDirectory()) walk(path);
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

