import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EncodeOptions } from '../encoder.js';
import { createEncoder } from '../formats/index.js';
import { takeGifThread, keepGifThread } from './gif-threads.js';

const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-gif-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The scene schema's defaults, written out: the encoders know nothing of the schema. */
const OPTIONS: EncodeOptions = {
  mp4: { crf: 16, preset: 'veryfast' },
  webm: { crf: 32 },
  webp: { lossless: false, quality: 80 },
  gif: { colors: 256, dither: 'none', bayerScale: 2, tolerance: 2 },
};

/** Frame t of a moving colour gradient, w×h. */
function frame(w: number, h: number, t: number): Uint8Array {
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0, p = 0; y < h; y++) {
    for (let x = 0; x < w; x++, p += 4) {
      rgba[p] = (x * 7 + t * 11) & 0xff;
      rgba[p + 1] = (y * 5 + t * 3) & 0xff;
      rgba[p + 2] = ((x + y) * 3) & 0xff;
      rgba[p + 3] = 255;
    }
  }
  return rgba;
}

/** Encodes `frames` frames of w×h to a GIF through the GIF encoder (its thread); stops after `stopAfter` frames when given. */
async function encodeGif(name: string, w: number, h: number, frames: number, stopAfter?: number): Promise<string> {
  const path = join(dir, `${name}.gif`);
  const encoder = createEncoder('gif', { width: w, height: h, fps: 10, frameCount: frames, path, options: OPTIONS });
  for (let t = 0; t < frames; t++) {
    if (t === stopAfter) {
      await encoder.abort();
      return path;
    }
    await encoder.writeFrame(frame(w, h, t));
  }
  await encoder.finish();
  encoder.commit();
  return path;
}

/** The worker thread id of the next GIF's thread (looked at without using it). */
function nextThreadId(): number | undefined {
  const thread = takeGifThread();
  const id = thread.threads[0]?.threadId;
  keepGifThread(thread);
  return id;
}

describe('GIF threads', () => {
  it('a GIF after another codes on the finished one’s thread, byte for byte as on a new thread', async () => {
    const first = readFileSync(await encodeGif('first', 40, 30, 8));
    const thread = nextThreadId();
    expect(thread).toBeGreaterThan(0);
    // A different size and length in between: nothing of it may reach the next GIF.
    const between = readFileSync(await encodeGif('between', 24, 36, 5));
    expect(between.subarray(0, 6).toString()).toBe('GIF89a');
    expect(nextThreadId()).toBe(thread);
    const again = readFileSync(await encodeGif('again', 40, 30, 8));
    expect(again.equals(first)).toBe(true);
    expect(nextThreadId()).toBe(thread);
  });

  it('a GIF stopped part way ends its thread, and the next GIF gets a new one', async () => {
    const before = nextThreadId();
    await encodeGif('stopped', 40, 30, 8, 4);
    const after = nextThreadId();
    expect(after).toBeGreaterThan(0);
    expect(after).not.toBe(before);
    const next = readFileSync(await encodeGif('next', 40, 30, 8));
    expect(next.equals(readFileSync(join(dir, 'first.gif')))).toBe(true);
  });
});
