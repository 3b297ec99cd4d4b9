import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../ffmpeg.js';
import { readGifComment } from '../gif-file.js';
import type { FrameCoding } from './frame-coder.js';
import { gifDelay, GifStream } from './gif-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-gif-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 37;
const H = 23;

/** A moving pattern of `levels` grey-blue colours: few enough for an exact palette. */
function frame(t: number, levels: number): Uint8Array {
  const rgba = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = Math.floor(((Math.sin(x / 5 + t / 3) + Math.cos(y / 4 - t / 5) + 2) / 4) * (levels - 1));
      const p = (y * W + x) * 4;
      rgba[p] = v;
      rgba[p + 1] = Math.min(255, v * 2);
      rgba[p + 2] = 255 - v;
      rgba[p + 3] = 255;
    }
  }
  return rgba;
}

function encode(frames: Uint8Array[], coding: FrameCoding, comment?: string): string {
  const parts: Uint8Array[] = [];
  const stream = new GifStream(W, H, 30, coding, (d) => parts.push(d.slice()), comment);
  for (const f of frames) stream.addFrame(f);
  stream.end();
  const path = join(dir, `${Math.random().toString(36).slice(2)}.gif`);
  writeFileSync(path, Buffer.concat(parts));
  expect(stream.bytes).toBe(Buffer.concat(parts).length);
  return path;
}

/** Every frame as a decoder shows it (RGBA), decoded by ffmpeg. */
function decode(path: string, frameBytes = W * H * 4): Uint8Array[] {
  const result = spawnSync(locateFfmpeg().path, ['-v', 'error', '-i', path, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 28 });
  expect(result.status, result.stderr?.toString()).toBe(0);
  const out: Uint8Array[] = [];
  for (let at = 0; at < result.stdout.length; at += frameBytes) out.push(new Uint8Array(result.stdout.subarray(at, at + frameBytes)));
  return out;
}

function largestError(a: Uint8Array, b: Uint8Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) if (i % 4 !== 3) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const CODING: FrameCoding = { colors: 256, dither: 'none', bayerScale: 2, tolerance: 0 };

describe('GIF stream encoder', () => {
  const frames = Array.from({ length: 12 }, (_, t) => frame(t, 120));

  it('with tolerance 0 and few colours, decoders show exactly the frames', () => {
    const decoded = decode(encode(frames, CODING));
    expect(decoded).toHaveLength(frames.length);
    decoded.forEach((d, i) => expect(largestError(d, frames[i]), `frame ${i}`).toBe(0));
  });

  it('with a tolerance, no pixel strays further than it from the true colour, and the file is smaller', () => {
    const exact = encode(frames, CODING);
    const loose = encode(frames, { ...CODING, tolerance: 6 });
    const decoded = decode(loose);
    expect(decoded).toHaveLength(frames.length);
    decoded.forEach((d, i) => expect(largestError(d, frames[i]), `frame ${i}`).toBeLessThanOrEqual(6));
    expect(statSync(loose).size).toBeLessThan(statSync(exact).size);
  });

  it('frames that do not change cost a few bytes, and dithered frames decode to every frame', () => {
    const still = [frames[0], frames[0], frames[0], frames[0]];
    const parts: Uint8Array[] = [];
    const stream = new GifStream(W, H, 30, CODING, (d) => parts.push(d.slice()));
    stream.addFrame(still[0]);
    const afterFirst = stream.bytes;
    for (const f of still.slice(1)) stream.addFrame(f);
    expect(stream.bytes - afterFirst).toBeLessThan(3 * 40);
    for (const dither of ['bayer', 'floyd_steinberg', 'sierra2_4a'] as const) {
      const decoded = decode(encode(frames, { ...CODING, colors: 16, dither }));
      expect(decoded, dither).toHaveLength(frames.length);
    }
  });

  it('is deterministic, carries the comment, and its delays add up to the exact duration', () => {
    const a = encode(frames, { ...CODING, tolerance: 3 }, '{"name":"x"}');
    const b = encode(frames, { ...CODING, tolerance: 3 }, '{"name":"x"}');
    expect(spawnSync('cmp', [a, b]).status).toBe(0);
    expect(readGifComment(a)).toBe('{"name":"x"}');
    const delays = Array.from({ length: 30 }, (_, i) => gifDelay(i, 30));
    expect(delays.reduce((s, d) => s + d, 0)).toBe(100);
    expect(new Set(delays)).toEqual(new Set([3, 4]));
  });
});

describe('GIF palettes', () => {
  /** A smooth gradient along one colour curve (as a palette-mapped scene makes): more distinct colours than a palette holds. */
  function gradient(): Uint8Array {
    const size = 64;
    const rgba = new Uint8Array(size * size * 4);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = ((y * size + x) / (size * size)) * 255;
        rgba.set([Math.round(v), Math.round(v * 0.6 + 40), Math.round(200 - v * 0.5), 255], (y * size + x) * 4);
      }
    }
    return rgba;
  }

  /** Entries in the first frame's local colour table (the descriptor's size field, after the 32-byte head and 8-byte control block). */
  function firstTableSize(rgba: Uint8Array, tolerance: number): number {
    const parts: Uint8Array[] = [];
    const stream = new GifStream(64, 64, 30, { ...CODING, tolerance }, (d) => parts.push(d.slice()));
    stream.addFrame(rgba);
    const bytes = Buffer.concat(parts);
    expect(bytes[40]).toBe(0x2c);
    return 2 << (bytes[49] & 7);
  }

  it('a frame gets only as many colours as its picture needs within the tolerance', () => {
    const frame = gradient();
    expect(firstTableSize(frame, 0)).toBe(256);
    const loose = firstTableSize(frame, 2);
    expect(loose).toBeLessThan(256);
    // Still faithful: the decoded frame's mean squared error stays within the palette's share of the budget.
    const decoded = decode(encodeSized([frame], { ...CODING, tolerance: 2 }, 64, 64), 64 * 64 * 4)[0];
    let squared = 0;
    for (let i = 0; i < frame.length; i++) if (i % 4 !== 3) squared += (decoded[i] - frame[i]) ** 2;
    expect(squared / (64 * 64)).toBeLessThan(0.6 * 2 ** 2 * 1.5);
  });
});

function encodeSized(frames: Uint8Array[], coding: FrameCoding, width: number, height: number): string {
  const parts: Uint8Array[] = [];
  const stream = new GifStream(width, height, 30, coding, (d) => parts.push(d.slice()));
  for (const f of frames) stream.addFrame(f);
  stream.end();
  const path = join(dir, `${Math.random().toString(36).slice(2)}.gif`);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}
