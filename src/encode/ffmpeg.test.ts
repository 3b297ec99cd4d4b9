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
      expect(readFfmpegMetadata(file).comment).toBe(comment);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
