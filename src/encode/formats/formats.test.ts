import { describe, expect, it } from 'vitest';
import { FrameSelection } from '../gif/gif-job.js';
import { defaultGifFps } from './gif.js';
import { mp4Size } from './mp4.js';

describe('format details', () => {
  it('GIFs of fast videos keep every k-th frame, staying at 50 fps or below', () => {
    expect([24, 30, 50, 60, 100, 120].map((fps) => defaultGifFps(fps, 64, 64))).toEqual([24, 30, 50, 30, 50, 40]);
  });

  it('GIFs of large videos drop to every k-th frame, never below 15 fps', () => {
    expect(defaultGifFps(30, 256, 256)).toBe(30);
    expect(defaultGifFps(30, 512, 512)).toBe(15);
    expect(defaultGifFps(60, 512, 512)).toBe(15);
    expect(defaultGifFps(25, 512, 512)).toBe(25);
    expect(defaultGifFps(30, 1920, 1080)).toBe(15);
  });

  it('a GIF at a lower rate takes the video frames nearest its own, and no more than it shows', () => {
    const taken = (frames: number, fps: number, gifFps: number): number[] => {
      const selection = new FrameSelection(frames, fps, gifFps);
      return Array.from({ length: frames }, (_, i) => i).filter((i) => selection.takes(i));
    };
    expect(taken(8, 30, 15)).toEqual([0, 2, 4, 6]);
    expect(taken(10, 30, 12)).toEqual([0, 3, 5, 8]);
    expect(taken(5, 30, 30)).toEqual([0, 1, 2, 3, 4]);
    expect(new FrameSelection(9, 30, 15).totalFrames).toBe(5);
  });

  it('MP4 sizes are even', () => {
    expect(mp4Size(33, 21)).toEqual([32, 20]);
    expect(mp4Size(64, 48)).toEqual([64, 48]);
  });
});
