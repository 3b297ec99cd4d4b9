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
import { outputFormat } from '../encode/formats/index.js';
import type { Format } from '../scene/index.js';
import type { FrameRange } from './frame-backend.js';

/** Pieces a video is cut into when it is long enough. */
export const TARGET_PIECES = 24;
/** The shortest piece, in frames (but for videos shorter than that). */
export const MIN_PIECE_FRAMES = 10;
/**
 * The longest piece, in frames: a long video is cut into more pieces rather
 * than longer ones, so it keeps a large cluster busy, and a worker lost
 * mid-piece loses little work.
 */
export const MAX_PIECE_FRAMES = 60;

/**
 * The pieces of a video of `frameCount` frames, in order, as even in length
 * as whole frames allow; no piece shorter than `minFrames` (but for a video
 * shorter than that).
 */
export function piecePlan(frameCount: number, minFrames = MIN_PIECE_FRAMES): FrameRange[] {
  const length = Math.min(MAX_PIECE_FRAMES, Math.max(minFrames, Math.ceil(frameCount / TARGET_PIECES)));
  // As many pieces as fit whole at that length (never shorter), but none longer than the longest.
  const count = Math.max(1, Math.floor(frameCount / length), Math.ceil(frameCount / MAX_PIECE_FRAMES));
  return Array.from({ length: count }, (_, k) => ({ start: Math.floor((k * frameCount) / count), end: Math.floor(((k + 1) * frameCount) / count) }));
}

/** The pieces of a video coded in these formats: a format whose fresh starts cost more asks for longer pieces. */
export function piecesFor(frameCount: number, formats: readonly Format[]): FrameRange[] {
  return piecePlan(frameCount, Math.max(MIN_PIECE_FRAMES, ...formats.map((f) => outputFormat(f).minPieceFrames ?? 0)));
}
