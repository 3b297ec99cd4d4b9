/** Shared helpers for the end-to-end tests: run the built CLI, read images, measure them. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodePng } from '../src/encode/png.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cppn-motion ...args` from the build, as a user would. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    if (options.input !== undefined) child.stdin.end(options.input);
    child.on('close', (code) => done({ code, stdout, stderr }));
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
