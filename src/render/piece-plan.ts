/**
 * How a video is cut into pieces: consecutive frame ranges, each rendered
 * and coded on its own (on a thread of this machine or a cluster's worker)
 * and joined without coding again. The plan is a function of the frame
 * count alone, so a render on this machine and one on a cluster cut the
 * same pieces (and write the same bytes), and a restarted render asks for
 * the pieces it already has.
 *
 * Each piece starts afresh, which costs bytes (a keyframe in an MP4, a
 * frame coded whole in a GIF): pieces are long enough that this stays
 * small, and many enough to keep many workers busy and to balance them
 * (docs/cluster.md has the measurements behind these numbers).
 */
import type { FrameRange } from './frame-backend.js';

/** Pieces a video is cut into when it is long enough. */
export const TARGET_PIECES = 24;
/** The shortest piece, in frames (but for videos shorter than that). */
export const MIN_PIECE_FRAMES = 10;
/** The longest piece, in frames: a worker lost mid-piece loses at most this much work. */
export const MAX_PIECE_FRAMES = 240;

/** The pieces of a video of `frameCount` frames, in order, as even in length as whole frames allow. */
export function piecePlan(frameCount: number): FrameRange[] {
  const length = Math.min(MAX_PIECE_FRAMES, Math.max(MIN_PIECE_FRAMES, Math.ceil(frameCount / TARGET_PIECES)));
  const count = Math.max(1, Math.ceil(frameCount / length));
  return Array.from({ length: count }, (_, k) => ({ start: Math.floor((k * frameCount) / count), end: Math.floor(((k + 1) * frameCount) / count) }));
}
