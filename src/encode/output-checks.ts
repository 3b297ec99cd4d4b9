/**
 * What makes each kind of output complete, checked on the temporary output
 * before it may replace anything (see PendingOutput.verify). ffmpeg can exit 0
 * having written empty or truncated files (a full disk), so its exit status
 * alone proves nothing.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { OutputCheck } from '../files/index.js';
import { countVideoFrames } from './ffmpeg.js';

/** A video file (MP4, WebM, GIF) that ffmpeg reads back with `expected` frames (± `slack`). */
export function videoFrameCheck(expected: number, slack = 0): OutputCheck {
  return async (path) => {
    const frames = await countVideoFrames(path);
    if (Math.abs(frames - expected) > slack) throw new Error(`it holds ${frames} frames of ${expected}`);
  };
}

/** Every PNG ends with this chunk (length 0, "IEND", its CRC): a truncated file does not. */
const IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

function endsWithIend(path: string): boolean {
  const size = statSync(path).size;
  if (size < 8 + IEND.length) return false;
  const tail = Buffer.alloc(IEND.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  return tail.equals(IEND);
}

/** A folder holding frame-00000.png … one whole PNG per frame. */
export function pngFramesCheck(expected: number): OutputCheck {
  return (folder) => {
    const frames = readdirSync(folder).filter((name) => /^frame-\d+\.png$/.test(name));
    if (frames.length !== expected) throw new Error(`it holds ${frames.length} frames of ${expected}`);
    const broken = frames.filter((name) => !endsWithIend(join(folder, name)));
    if (broken.length > 0) throw new Error(`${broken.length} frame${broken.length === 1 ? ' is' : 's are'} empty or cut short, the first ${broken.sort()[0]}`);
  };
}
