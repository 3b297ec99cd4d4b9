import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FfmpegProcess, locateFfmpeg, readFfmpegMetadata } from './ffmpeg.js';

describe('ffmpeg', () => {
  it('is found without any set-up (npm ci installs it)', () => {
    const found = locateFfmpeg();
    expect(found.path).toMatch(/ffmpeg/);
    expect(['ffmpeg-static', '@ffmpeg-installer/ffmpeg', 'PATH', 'FFMPEG_PATH']).toContain(found.source);
  });

  it('round-trips a comment with every character ffmetadata escapes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-ffmpeg-'));
    try {
      const comment = '{"palette":["#0b1026"],"note":"a=b; c\\\\d\\nnext line"}';
      const file = join(dir, 'tiny.mp4');
      const ffmpeg = new FfmpegProcess(
        ['-f', 'rawvideo', '-pix_fmt', 'rgba', '-video_size', '16x16', '-framerate', '10', '-i', 'pipe:0', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-metadata', `comment=${comment}`, '-y', file],
        'test',
      );
      await ffmpeg.write(new Uint8Array(16 * 16 * 4).fill(128));
      await ffmpeg.end();
      expect((await readFfmpegMetadata(file)).comment).toBe(comment);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads tags only from a regular file, and gives up on an ffmpeg that stalls', async () => {
    const { chmodSync, writeFileSync } = await import('node:fs');
    const { execFileSync } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'cppn-motion-ffmpeg-'));
    const previous = process.env.FFMPEG_PATH;
    try {
      const pipe = join(dir, 'pipe.mp4');
      execFileSync('mkfifo', [pipe]);
      await expect(readFfmpegMetadata(pipe)).rejects.toThrow(`${pipe} is a named pipe, not a regular file; only regular files are read`);
      const stalls = join(dir, 'ffmpeg-stalls');
      writeFileSync(stalls, '#!/bin/sh\nexec sleep 60\n');
      chmodSync(stalls, 0o755);
      writeFileSync(join(dir, 'x.mp4'), 'not really a video');
      process.env.FFMPEG_PATH = stalls;
      const started = performance.now();
      await expect(readFfmpegMetadata(join(dir, 'x.mp4'), 300)).rejects.toThrow('ffmpeg took more than 0.3 s to read its tags; it is damaged or not a video');
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      if (previous === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = previous;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
