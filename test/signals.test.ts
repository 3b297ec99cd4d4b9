/**
 * Interrupts at several points of render, still, batch and compare: SIGINT
 * (Ctrl-C), SIGTERM and SIGHUP (the terminal closed). Each must end with exit
 * code 130 and one line saying so, no stack trace, no temporary file left,
 * and what existed before byte-identical.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestOptions } from 'vitest';
import { CLI, ROOT, runCli, snapshot, temporaries, tempDir, writeScene } from './helpers.js';
import { representative } from './tier.js';

/** Big enough that every command is still busy when the signal comes. */
const LONG = `
name: long
output: { size: [256, 256], fps: 12, duration: 60, formats: [mp4, gif] }
network:
  inputs: [x, y, r, t]
  layers: { depth: 8, width: 16 }
  output: { channels: 3, activation: sigmoid }
keyframes:
  - { at: 0, seed: 2, zoom: 1 }
  - { at: 30, seed: 3, zoom: 1.5 }
`;

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the command and sends `signal` once its stderr matches `when`. */
function stopWhen(args: string[], when: RegExp, signal: NodeJS.Signals): Promise<Stopped & { sent: boolean }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (code, killedBy) => done({ code, signal: killedBy, stderr, sent }));
  });
}

let dir: ReturnType<typeof tempDir>;
let scene: string;
let other: string;
beforeAll(() => {
  dir = tempDir();
  scene = writeScene(dir.path, 'long', LONG);
  other = writeScene(dir.path, 'other', LONG.replace('name: long', 'name: other').replace('seed: 2', 'seed: 5'));
});
afterAll(() => dir.remove());

function expectStopped(result: Stopped & { sent: boolean }, signal: NodeJS.Signals): void {
  expect(result.sent, result.stderr).toBe(true);
  expect(result.signal, result.stderr).toBe(null);
  expect(result.code, result.stderr).toBe(130);
  expect(result.stderr).toContain(`stopped: interrupted by ${signal}; no partial output was kept`);
  expect(result.stderr).not.toMatch(/\n\s+at |AbortError|MaxListenersExceededWarning/);
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Each signal at each point in the full tier; in the quick one, one signal
 * per point, so that every signal is still sent to some command.
 */
function eachSignal(pick: NodeJS.Signals): ReturnType<typeof representative<NodeJS.Signals>> {
  return representative(SIGNALS, [pick]);
}

describe('render', () => {
  const cases: Array<[NodeJS.Signals, string, RegExp, string[], TestOptions]> = [
    ...eachSignal('SIGINT').map(([s, options]): [NodeJS.Signals, string, RegExp, string[], TestOptions] => [s, 'while frames render', /rendering long: \d+\/720 frames/, [], options]),
    ['SIGTERM', 'while the outputs are joined and checked', /finishing: joining and checking the outputs/, ['--duration', '8'], {}],
  ];
  for (const [signal, when, pattern, extra, options] of cases) {
    it(`${signal} ${when}`, options, async () => {
      const out = join(dir.path, `render-${signal}-${extra.length}`);
      expect((await runCli(['render', scene, '--duration', '0.5', '--size', '32x32', '--out', join(out, 'long'), '-q'])).code).toBe(0);
      const before = snapshot(out);
      const result = await stopWhen(['render', scene, ...extra, '--out', join(out, 'long')], pattern, signal);
      expectStopped(result, signal);
      if (signal !== 'SIGHUP') expect(result.stderr).toContain('stopping…');
      expect(temporaries(out)).toEqual([]);
      expect(snapshot(out)).toEqual(before);
    });
  }
});

describe('still and compare', () => {
  for (const [signal, options] of eachSignal('SIGTERM')) {
    it(`still, ${signal} while it renders`, options, async () => {
      const out = join(dir.path, `still-${signal}`);
      mkdirSync(out);
      expect((await runCli(['still', scene, '--size', '32x32', '--out', join(out, 's.png'), '-q'])).code).toBe(0);
      const before = snapshot(out);
      const result = await stopWhen(['still', scene, '--size', '4096x4096', '--out', join(out, 's.png')], /rendering long: 4096x4096/, signal);
      expectStopped(result, signal);
      expect(temporaries(out)).toEqual([]);
      expect(snapshot(out)).toEqual(before);
    });
  }

  for (const [signal, options] of eachSignal('SIGHUP')) {
    it(`compare, ${signal} while it renders`, options, async () => {
      const out = join(dir.path, `compare-${signal}`);
      mkdirSync(out);
      expect((await runCli(['compare', scene, other, '--size', '16x16', '--out', join(out, 'c.png'), '-q'])).code).toBe(0);
      const before = snapshot(out);
      const result = await stopWhen(['compare', scene, other, '--size', '3072x3072', '--out', join(out, 'c.png')], /rendering 2 scenes/, signal);
      expectStopped(result, signal);
      expect(temporaries(out)).toEqual([]);
      expect(snapshot(out)).toEqual(before);
    });
  }
});

describe('batch', () => {
  const cases: Array<[NodeJS.Signals, string, RegExp, string[], TestOptions]> = [
    ...eachSignal('SIGTERM').map(([s, options]): [NodeJS.Signals, string, RegExp, string[], TestOptions] => [s, 'while items render', /items? → /, ['--duration', '20'], options]),
    ['SIGINT', 'while the animated contact sheet is made', /\[2\/2\]/, ['--duration', '3', '--animated-sheet'], {}],
  ];
  for (const [signal, when, pattern, extra, options] of cases) {
    it(`${signal} ${when}`, options, async () => {
      const out = join(dir.path, `batch-${signal}-${extra.length}`);
      const first = await runCli(['batch', scene, '--seeds', '1-2', '--duration', '0.5', '--size', '32x32', '--out', out, '-q']);
      expect(first.code, first.stderr).toBe(0);
      const gifs = (): Record<string, string> => Object.fromEntries(Object.entries(snapshot(out)).filter(([file]) => file.endsWith('.gif')));
      const before = gifs();
      const result = await stopWhen(['batch', scene, '--seeds', '1-2', '--force', '--out', out, ...extra], pattern, signal);
      expectStopped(result, signal);
      expect(temporaries(out)).toEqual([]);
      // Items finished before the signal are kept (replaced by their new render); the rest are as they were.
      const after = gifs();
      for (const [file, hash] of Object.entries(before)) {
        if (!new RegExp(`${file.split('/').pop()!.replace('.gif', '')}: done`).test(result.stderr)) expect(after[file], file).toBe(hash);
      }
    });
  }
});

/**
 * Whether the process catches SIGHUP yet (from /proc: Node itself catches
 * SIGINT and SIGTERM to restore the terminal, but never SIGHUP, so that bit
 * tells when the command's own handlers are in place).
 */
function catchesSignals(pid: number): boolean {
  try {
    const mask = /SigCgt:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & 1n) === 1n;
  } catch {
    return false;
  }
}

describe.skipIf(!existsSync('/proc/self/status'))('signals in the first moments', () => {
  for (const signal of SIGNALS) {
    it(`${signal} as soon as the command can catch it, while it is still loading: exit 130 with the stopped line`, async () => {
      const out = join(dir.path, `early-${signal}`);
      const child = spawn(process.execPath, [CLI, 'render', scene, '--out', join(out, 'long')], { cwd: ROOT });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // The handlers must be in place before the command loads its modules and reads the scene:
      // the signal is sent the moment they are, and must find the command not yet started.
      const poll = setInterval(() => {
        if (catchesSignals(child.pid!)) {
          clearInterval(poll);
          child.kill(signal);
        }
      }, 1);
      const [code, killedBy] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => child.on('close', (c, s) => done([c, s])));
      clearInterval(poll);
      expect(killedBy, stderr).toBe(null);
      expect(code, stderr).toBe(130);
      expect(stderr).toBe(`stopped: interrupted by ${signal}; no partial output was kept\n`);
      expect(existsSync(out)).toBe(false);
    });
  }
});
