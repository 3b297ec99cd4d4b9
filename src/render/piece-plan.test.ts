import { describe, expect, it } from 'vitest';
import { MAX_PIECE_FRAMES, MIN_PIECE_FRAMES, piecePlan, piecesFor } from './piece-plan.js';

describe('the piece plan', () => {
  it('covers every frame once, in order, in pieces of even length within the limits', () => {
    for (const frames of [1, 2, 9, 10, 11, 36, 240, 241, 300, 3600, 100_000]) {
      const pieces = piecePlan(frames);
      expect(pieces[0].start).toBe(0);
      expect(pieces[pieces.length - 1].end).toBe(frames);
      for (let k = 1; k < pieces.length; k++) expect(pieces[k].start).toBe(pieces[k - 1].end);
      const lengths = pieces.map((p) => p.end - p.start);
      expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
      expect(Math.max(...lengths)).toBeLessThanOrEqual(MAX_PIECE_FRAMES);
      if (pieces.length > 1) expect(Math.min(...lengths)).toBeGreaterThanOrEqual(MIN_PIECE_FRAMES);
    }
  });

  it('depends on the frame count and the formats alone, and WebM asks for longer pieces', () => {
    expect(piecePlan(240)).toEqual(piecePlan(240));
    expect(piecesFor(240, ['mp4', 'gif'])).toHaveLength(24);
    expect(piecesFor(240, ['mp4', 'webm']).every((p) => p.end - p.start >= 30)).toBe(true);
    expect(piecesFor(5, ['gif'])).toEqual([{ start: 0, end: 5 }]);
    // A long video: more pieces, not longer ones.
    expect(piecesFor(3600, ['mp4', 'gif'])).toHaveLength(60);
  });
});
