/**
 * Joining video pieces (MP4, WebM) without coding them again: ffmpeg's
 * concat demuxer reads the pieces one after the other, each starting on a
 * keyframe with the same settings, and copies their packets into one file,
 * each piece's timestamps following on from the last's.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { FfmpegProcess } from './ffmpeg.js';

/** A concat demuxer script line: the path in single quotes, a quote within it written '\'' . */
function fileLine(path: string): string {
  return `file '${path.replace(/'/g, "'\\''")}'`;
}

/** Microseconds from the start of the video to frame i. */
function startMicroseconds(frame: number, fps: number): number {
  return Math.round((frame * 1e6) / fps);
}

/**
 * Joins `pieces` (absolute paths, in order, each holding frames ranges[k])
 * into `temp` as `container`, with `extra` output arguments (metadata,
 * faststart). `list` is where the demuxer's list of pieces is written: a
 * scratch path of the output's, so that it goes with the output however the
 * run ends. `label` names the output in errors.
 *
 * Each piece's length is given to the demuxer: left to itself it takes the
 * container's, which MP4 rounds to milliseconds, and the rounding adds up
 * from piece to piece (a 10-frame piece at 30 fps counts 334 ms). Counted
 * from the start of the video in microseconds, every piece starts within
 * half a microsecond of its exact time.
 */
export async function concatVideo(pieces: string[], ranges: Array<{ start: number; end: number }>, fps: number, temp: string, list: string, container: string, extra: string[], label: string, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const lines = pieces.map((piece, k) => {
    const microseconds = startMicroseconds(ranges[k].end, fps) - startMicroseconds(ranges[k].start, fps);
    return `${fileLine(piece)}\nduration ${(microseconds / 1e6).toFixed(6)}`;
  });
  writeFileSync(list, `ffconcat version 1.0\n${lines.join('\n')}\n`);
  try {
    const ffmpeg = new FfmpegProcess(['-f', 'concat', '-safe', '0', '-i', list, '-map', '0:v', '-c', 'copy', ...extra, '-f', container, '-y', temp], label);
    // Stopped (another output failed): ffmpeg is killed, not left writing a file about to be removed.
    const stop = (): void => void ffmpeg.kill();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await ffmpeg.end();
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    signal?.throwIfAborted();
  } finally {
    rmSync(list, { force: true });
  }
}
