import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../ffmpeg.js';

const folder = mkdtempSync(join(tmpdir(), 'piece-joins-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const DIST = resolve('dist/encode/formats');
/** More pieces than the process may hold open files. */
const PIECES = 300;
const OPEN_FILES = 64;

/** A two-frame piece of `codec`, as the render's encoders write them. */
function piece(name: string, args: string[]): string {
  const path = join(folder, name);
  const made = spawnSync(locateFfmpeg().path, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=16x16:rate=10', '-frames:v', '2', ...args, '-y', path]);
  expect(made.status, made.stderr.toString()).toBe(0);
  return path;
}

/** Runs `script` (an ES module importing the built joins) in a node allowed only OPEN_FILES open files. */
function withFewFiles(script: string): { status: number | null; out: string } {
  const run = spawnSync('bash', ['-c', `ulimit -n ${OPEN_FILES} && exec node --input-type=module -e "$0"`, script], { encoding: 'utf8' });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('joining many pieces (the built modules: npm run build)', () => {
  it(`APNG: ${PIECES} pieces join with only ${OPEN_FILES} files open allowed, every frame there`, () => {
    const apng = piece('piece.apng', ['-c:v', 'apng', '-pix_fmt', 'rgb24', '-plays', '0', '-f', 'apng']);
    const out = join(folder, 'joined.apng');
    const run = withFewFiles(`
      import { joinApng } from ${JSON.stringify(join(DIST, 'apng-join.js'))};
      const frames = await joinApng({ pieces: Array(${PIECES}).fill(${JSON.stringify(apng)}), fps: 10 }, ${JSON.stringify(out)});
      console.log('frames', frames);`);
    expect(run.status, run.out).toBe(0);
    expect(run.out).toContain(`frames ${PIECES * 2}`);
  });

  it(`WebP: ${PIECES} pieces join with only ${OPEN_FILES} files open allowed, lasting the whole video`, () => {
    const webp = piece('piece.webp', ['-c:v', 'libwebp_anim', '-lossless', '1', '-loop', '0', '-f', 'webp']);
    const out = join(folder, 'joined.webp');
    const run = withFewFiles(`
      import { joinWebp, webpTiming } from ${JSON.stringify(join(DIST, 'webp-join.js'))};
      const ranges = Array.from({ length: ${PIECES} }, (_, k) => ({ start: 2 * k, end: 2 * k + 2 }));
      await joinWebp({ pieces: Array(${PIECES}).fill(${JSON.stringify(webp)}), ranges, fps: 10 }, ${JSON.stringify(out)});
      console.log('ms', webpTiming(${JSON.stringify(out)}).ms);`);
    expect(run.status, run.out).toBe(0);
    expect(run.out).toContain(`ms ${PIECES * 200}`);
  });
});

describe('a join told to stop', () => {
  it('stops between pieces, APNG, WebP and GIF alike, with the reason it was given', async () => {
    const { joinApng } = await import('./apng-join.js');
    const { joinWebp } = await import('./webp-join.js');
    const { gif } = await import('./gif.js');
    const apng = piece('stop.apng', ['-c:v', 'apng', '-pix_fmt', 'rgb24', '-plays', '0', '-f', 'apng']);
    const webp = piece('stop.webp', ['-c:v', 'libwebp_anim', '-lossless', '1', '-loop', '0', '-f', 'webp']);
    const stopped = new AbortController();
    stopped.abort(new Error('stopped: interrupted by SIGINT'));
    const { signal } = stopped;
    const pieces = (file: string): string[] => Array(4).fill(file);
    await expect(joinApng({ pieces: pieces(apng), fps: 10, signal }, join(folder, 'stopped.apng'))).rejects.toThrow(/interrupted by SIGINT/);
    const ranges = Array.from({ length: 4 }, (_, k) => ({ start: 2 * k, end: 2 * k + 2 }));
    await expect(joinWebp({ pieces: pieces(webp), ranges, fps: 10, signal }, join(folder, 'stopped.webp'))).rejects.toThrow(/interrupted by SIGINT/);
    // The GIF join needs only the picture's size from the job before its first piece.
    const gifJob = { settings: { gif: { settings: { width: 16, height: 16 } } }, signal } as unknown as Parameters<typeof gif.join>[1];
    await expect(gif.join(pieces(webp), gifJob, join(folder, 'stopped.gif'))).rejects.toThrow(/interrupted by SIGINT/);
  });
});
