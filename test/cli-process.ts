/**
 * Long-running CLI processes for the end-to-end tests (a cluster's workers,
 * a coordinator interrupted mid-render): started, their output kept, waited
 * on for a line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, readPng, sha256, type CliResult } from './helpers.js';

export interface Running {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<CliResult>;
}

/** Starts `cppn-motion ...args` (or, with `script`, `node ...args`) and keeps what it prints. */
export function start(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, script = false): Running {
  const child = spawn(process.execPath, script ? args : [CLI, ...args], { cwd, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<CliResult>((done) => child.on('close', (code) => done({ code, stdout, stderr })));
  return {
    child,
    output: () => stdout + stderr,
    async waitFor(pattern, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(stdout + stderr);
        if (match) return match;
        if (Date.now() > until) throw new Error(`waited for ${pattern} in vain; output so far:\n${stdout}${stderr}`);
        if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before ${pattern}:\n${stdout}${stderr}`);
        await sleep(20);
      }
    },
    exited,
  };
}

/** The decoded pixels of every frame in a folder of PNG frames, as hashes. */
export async function frameHashes(folder: string): Promise<string[]> {
  const files = readdirSync(folder).sort();
  return Promise.all(files.map(async (f) => sha256((await readPng(join(folder, f))).data)));
}

