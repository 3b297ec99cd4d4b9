import { describe, expect, it } from 'vitest';
import { defaultGifFps } from './gif.js';
import { mp4Size } from './mp4.js';

describe('format details', () => {
  it('GIFs of fast videos keep every k-th frame, staying at 50 fps or below', () => {
    expect([24, 30, 50, 60, 100, 120].map(defaultGifFps)).toEqual([24, 30, 50, 30, 50, 40]);
  });

  it('MP4 sizes are even', () => {
    expect(mp4Size(33, 21)).toEqual([32, 20]);
    expect(mp4Size(64, 48)).toEqual([64, 48]);
  });
});
