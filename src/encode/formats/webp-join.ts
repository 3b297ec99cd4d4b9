/**
 * Joining animated WebP pieces. Each piece is a WebP of its own made by
 * libwebp: animated (VP8X, ANIM, ANMF frames), or, when every frame of the
 * piece is the same (a held or static picture, or a single frame), a plain
 * still (VP8 or VP8L), since libwebp merges identical frames into one that
 * lasts longer. The join writes one VP8X and ANIM, every piece's frames as
 * ANMF chunks (a still becomes one frame lasting the whole piece), and the
 * scene in a chunk of our own. Frame durations are set again from the
 * video's frame rate, counted from the start of the video, so rounding to
 * milliseconds never accumulates across pieces.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { JoinedFile, readAt as readPieceAt, withPiece } from './piece-file.js';

interface RiffChunk {
  fourcc: string;
  /** Offset of the payload in the file. */
  offset: number;
  size: number;
}

/** A frame of a piece: where it is drawn, how long its piece gives it, and where its image data is. */
interface PieceFrame {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Milliseconds, as libwebp wrote them (used only to place the frame in time within its piece). */
  duration: number;
  flags: number;
  /** The frame's image chunks (ALPH, VP8, VP8L) with their headers. */
  data: { offset: number; size: number };
}

/** A piece's layout: its size and frames, not its image data. */
interface WebpPiece {
  width: number;
  height: number;
  alpha: boolean;
  /** ANIM's background colour, when the piece is animated. */
  background?: number;
  frames: PieceFrame[];
}

const COPY_BUFFER = 1 << 20;
/** ANMF flags: bit 1 set = do not blend with what is on the canvas. */
const NO_BLEND = 0x02;

function readAt(fd: number, offset: number, size: number): Buffer {
  const data = Buffer.alloc(size);
  if (readSync(fd, data, 0, size, offset) < size) throw new Error('the WebP ends early');
  return data;
}

/** The chunks of a RIFF/WEBP file, header by header. */
function chunksOf(fd: number): RiffChunk[] {
  const total = fstatSync(fd).size;
  const head = readAt(fd, 0, 12);
  if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WEBP') throw new Error('not a WebP file');
  const chunks: RiffChunk[] = [];
  for (let at = 12; at + 8 <= total; ) {
    const header = readAt(fd, at, 8);
    const size = header.readUInt32LE(4);
    if (at + 8 + size > total) throw new Error('a WebP chunk runs past the end of the file');
    chunks.push({ fourcc: header.toString('latin1', 0, 4), offset: at + 8, size });
    at += 8 + size + (size % 2);
  }
  return chunks;
}

const u24 = (data: Buffer, at: number): number => data.readUIntLE(at, 3);

const readPieceBytes = (file: FileHandle, offset: number, size: number): Promise<Buffer> => readPieceAt(file, offset, size, 'WebP');

/** The chunks of a WebP piece, header by header. */
async function pieceChunks(file: FileHandle): Promise<RiffChunk[]> {
  const total = (await file.stat()).size;
  const head = await readPieceBytes(file, 0, 12);
  if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WEBP') throw new Error('not a WebP file');
  const chunks: RiffChunk[] = [];
  for (let at = 12; at + 8 <= total; ) {
    const header = await readPieceBytes(file, at, 8);
    const size = header.readUInt32LE(4);
    if (at + 8 + size > total) throw new Error('a WebP chunk runs past the end of the file');
    chunks.push({ fourcc: header.toString('latin1', 0, 4), offset: at + 8, size });
    at += 8 + size + (size % 2);
  }
  return chunks;
}

/** Reads a piece's frames (its layout, not its image data). */
async function readPiece(file: FileHandle): Promise<WebpPiece> {
  const readAt = (offset: number, size: number): Promise<Buffer> => readPieceBytes(file, offset, size);
  const chunks = await pieceChunks(file);
  const vp8x = chunks.find((c) => c.fourcc === 'VP8X');
  const images = chunks.filter((c) => c.fourcc === 'ALPH' || c.fourcc === 'VP8 ' || c.fourcc === 'VP8L');
  if (vp8x && chunks.some((c) => c.fourcc === 'ANMF')) {
    const header = await readAt(vp8x.offset, 10);
    const anim = chunks.find((c) => c.fourcc === 'ANIM');
    const frames: PieceFrame[] = [];
    for (const c of chunks.filter((c) => c.fourcc === 'ANMF')) {
      const f = await readAt(c.offset, 16);
      frames.push({ x: u24(f, 0) * 2, y: u24(f, 3) * 2, width: u24(f, 6) + 1, height: u24(f, 9) + 1, duration: u24(f, 12), flags: f[15], data: { offset: c.offset + 16, size: c.size - 16 } });
    }
    return { width: u24(header, 4) + 1, height: u24(header, 7) + 1, alpha: (header[0] & 0x10) !== 0, background: anim ? (await readAt(anim.offset, 4)).readUInt32LE(0) : undefined, frames };
  }
  // A still: its image chunks are the piece's one frame.
  if (images.length === 0) throw new Error('the WebP piece holds no image');
  const first = images[0];
  const last = images[images.length - 1];
  const data = { offset: first.offset - 8, size: last.offset + last.size + (last.size % 2) - (first.offset - 8) };
  let width: number;
  let height: number;
  let alpha = images.some((c) => c.fourcc === 'ALPH');
  const image = images.find((c) => c.fourcc !== 'ALPH')!;
  if (vp8x) {
    const header = await readAt(vp8x.offset, 10);
    width = u24(header, 4) + 1;
    height = u24(header, 7) + 1;
    alpha ||= (header[0] & 0x10) !== 0;
  } else if (image.fourcc === 'VP8L') {
    // Signature 0x2f, then 14 bits width − 1, 14 bits height − 1, 1 bit alpha used.
    const bits = (await readAt(image.offset + 1, 4)).readUInt32LE(0);
    width = (bits & 0x3fff) + 1;
    height = ((bits >>> 14) & 0x3fff) + 1;
    alpha = ((bits >>> 28) & 1) === 1;
  } else {
    // VP8 key frame: 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height.
    const head = await readAt(image.offset + 6, 4);
    width = head.readUInt16LE(0) & 0x3fff;
    height = head.readUInt16LE(2) & 0x3fff;
  }
  return { width, height, alpha, frames: [{ x: 0, y: 0, width, height, duration: 0, flags: NO_BLEND, data }] };
}

/** Milliseconds from the start of the video to frame i. */
function frameStart(i: number, fps: number): number {
  return Math.round((i * 1000) / fps);
}

function chunkHeader(fourcc: string, size: number): Buffer {
  const head = Buffer.alloc(8);
  head.write(fourcc, 0, 'latin1');
  head.writeUInt32LE(size, 4);
  return head;
}

export interface WebpJoin {
  /** Piece files in the video's order, each holding frames [ranges[k]]. */
  pieces: string[];
  ranges: Array<{ start: number; end: number }>;
  fps: number;
  /** The scene, stored in a chunk of our own (readers skip unknown chunks). */
  scene?: { fourcc: string; data: Buffer };
  /** Stops the join between pieces and frames (an interrupt, a sibling output failed). */
  signal?: AbortSignal;
}

const u24le = (value: number): number[] => [value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff];

/**
 * Joins WebP pieces into one animated WebP at `path`. The pieces are read
 * twice, one at a time: first their layout (the header says whether any
 * frame has alpha), then their image data, copied through one buffer.
 */
export async function joinWebp(job: WebpJoin, path: string): Promise<void> {
  const pieces: WebpPiece[] = [];
  for (const piece of job.pieces) {
    job.signal?.throwIfAborted();
    pieces.push(await withPiece(piece, readPiece));
  }
  if (pieces.length === 0) throw new Error('there are no WebP pieces to join');
  const { width, height } = pieces[0];
  if (pieces.some((p) => p.width !== width || p.height !== height)) throw new Error('the WebP pieces differ in size');
  const writer = await JoinedFile.create(path);
  try {
    await writer.write(Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'));
    const alpha = pieces.some((p) => p.alpha);
    await writer.write(Buffer.concat([chunkHeader('VP8X', 10), Buffer.from([0x02 | (alpha ? 0x10 : 0), 0, 0, 0, ...u24le(width - 1), ...u24le(height - 1)])]));
    const anim = Buffer.alloc(6);
    anim.writeUInt32LE(pieces.find((p) => p.background !== undefined)?.background ?? 0xffffffff, 0);
    // Loop count 0: forever.
    await writer.write(Buffer.concat([chunkHeader('ANIM', 6), anim]));
    const buffer = Buffer.alloc(COPY_BUFFER);
    for (const [k, piece] of pieces.entries()) {
      const { start, end } = job.ranges[k];
      // Where each frame begins within the piece, in video frames.
      let elapsed = 0;
      const starts = piece.frames.map((frame) => {
        const at = Math.min(end - start - 1, Math.round((elapsed * job.fps) / 1000));
        elapsed += frame.duration;
        return at;
      });
      await withPiece(job.pieces[k], async (file) => {
        for (const [i, frame] of piece.frames.entries()) {
          job.signal?.throwIfAborted();
          const first = i === 0;
          if (first && (frame.x !== 0 || frame.y !== 0 || frame.width !== width || frame.height !== height)) throw new Error('a WebP piece does not start with a whole frame');
          const next = i + 1 < starts.length ? start + starts[i + 1] : end;
          const duration = Math.max(1, frameStart(next, job.fps) - frameStart(start + starts[i], job.fps));
          // A piece's first frame is drawn whole, whatever the frame before it left.
          const flags = first ? frame.flags | NO_BLEND : frame.flags;
          const head = Buffer.from([...u24le(frame.x / 2), ...u24le(frame.y / 2), ...u24le(frame.width - 1), ...u24le(frame.height - 1), ...u24le(duration), flags]);
          const size = 16 + frame.data.size;
          await writer.write(Buffer.concat([chunkHeader('ANMF', size), head]));
          await writer.copy(file, frame.data.offset, frame.data.size, buffer, 'WebP piece');
          if (size % 2 === 1) await writer.write(Buffer.alloc(1));
        }
      });
    }
    if (job.scene) {
      const { fourcc, data } = job.scene;
      await writer.write(Buffer.concat([chunkHeader(fourcc, data.length), data, Buffer.alloc(data.length % 2)]));
    }
    const riffSize = Buffer.alloc(4);
    riffSize.writeUInt32LE(writer.size - 8);
    await writer.writeAt(riffSize, 4);
  } finally {
    await writer.close();
  }
}

/** Frames, their total length in milliseconds and the loop count of an animated WebP, from its chunks. */
export function webpTiming(path: string): { frames: number; ms: number; loops: number } {
  const fd = openSync(path, 'r');
  try {
    const chunks = chunksOf(fd);
    const anim = chunks.find((c) => c.fourcc === 'ANIM');
    if (!anim) throw new Error('it is not an animated WebP');
    const frames = chunks.filter((c) => c.fourcc === 'ANMF');
    const ms = frames.reduce((sum, frame) => sum + u24(readAt(fd, frame.offset + 12, 3), 0), 0);
    return { frames: frames.length, ms, loops: readAt(fd, anim.offset + 4, 2).readUInt16LE(0) };
  } finally {
    closeSync(fd);
  }
}

/** Milliseconds a WebP of `frames` frames at `fps` lasts. */
export function webpDuration(frames: number, fps: number): number {
  return frameStart(frames, fps);
}
