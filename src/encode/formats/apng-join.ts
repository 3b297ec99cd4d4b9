/**
 * Joining APNG pieces. Each piece is an APNG of its own made by ffmpeg
 * (IHDR, acTL, then fcTL with IDAT for its first frame and fcTL with fdAT
 * for the others), or a plain PNG when the piece has a single frame. The
 * join writes one IHDR and acTL (every frame, played forever), then every
 * piece's frames with their sequence numbers counted afresh: only the video's
 * first frame keeps IDAT (the default image), each later piece's first frame
 * becomes fdAT. A piece's first frame replaces the whole picture (blend
 * "source"), and every frame lasts 1/fps.
 */
import type { FileHandle } from 'node:fs/promises';
import { pngChunk } from '../png.js';
import { JoinedFile, readAt as readPieceAt, withPiece } from './piece-file.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** fcTL blend_op 0: the frame replaces what is under it. */
const BLEND_SOURCE = 0;

interface PngChunk {
  type: string;
  /** Offset of the data in the file. */
  offset: number;
  size: number;
}

const readAt = (file: FileHandle, offset: number, size: number): Promise<Buffer> => readPieceAt(file, offset, size, 'PNG');

/** The chunks of a PNG file, header by header, up to IEND. */
async function chunksOf(file: FileHandle): Promise<PngChunk[]> {
  const total = (await file.stat()).size;
  if (!(await readAt(file, 0, 8)).equals(SIGNATURE)) throw new Error('not a PNG file');
  const chunks: PngChunk[] = [];
  for (let at = 8; at + 12 <= total; ) {
    const head = await readAt(file, at, 8);
    const size = head.readUInt32BE(0);
    if (at + 12 + size > total) throw new Error('a PNG chunk runs past the end of the file');
    const type = head.toString('latin1', 4, 8);
    chunks.push({ type, offset: at + 8, size });
    if (type === 'IEND') break;
    at += 12 + size;
  }
  return chunks;
}

/** The frame delay 1/fps as a fraction of 16-bit numbers (exact for whole frame rates). */
export function frameDelay(fps: number): [number, number] {
  if (Number.isInteger(fps) && fps <= 0xffff) return [1, fps];
  // The closest fraction num/den to 1/fps with both within 16 bits (continued fractions).
  const target = 1 / fps;
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let x = target;
  let best: [number, number] = [Math.max(1, Math.round(target * 0xffff)), 0xffff];
  for (let i = 0; i < 32; i++) {
    const a = Math.floor(x);
    [h0, h1] = [h1, a * h1 + h0];
    [k0, k1] = [k1, a * k1 + k0];
    if (h1 > 0xffff || k1 > 0xffff) break;
    if (h1 > 0) best = [h1, k1];
    if (x - a < 1e-12) break;
    x = 1 / (x - a);
  }
  return best;
}

interface Frame {
  /** The piece's fcTL data, or undefined for a plain PNG's one frame. */
  control?: Buffer;
  data: PngChunk[];
  /** Its data is IDAT (the piece's first frame) rather than fdAT. */
  idat: boolean;
}

async function framesOf(file: FileHandle, chunks: PngChunk[]): Promise<Frame[]> {
  const frames: Frame[] = [];
  let current: Frame | undefined;
  for (const c of chunks) {
    if (c.type === 'fcTL') {
      current = { control: await readAt(file, c.offset, c.size), data: [], idat: false };
      frames.push(current);
    } else if (c.type === 'IDAT' || c.type === 'fdAT') {
      if (!current) {
        // A plain PNG (one frame): its IDAT without a frame control.
        current = { data: [], idat: true };
        frames.push(current);
      }
      if (c.type === 'IDAT') current.idat = true;
      current.data.push(c);
    }
  }
  return frames;
}

export interface ApngJoin {
  pieces: string[];
  fps: number;
  /** Chunks to write just before IEND (the scene's iTXt). */
  trailer?: Buffer;
  /** Stops the join between pieces and frames (an interrupt, a sibling output failed). */
  signal?: AbortSignal;
}

/**
 * Joins APNG pieces into one APNG at `path`; returns the frame count. The
 * pieces are read twice, one at a time: first their layout (the frame count
 * comes before any frame), then their image data, chunk by chunk.
 */
export async function joinApng(job: ApngJoin, path: string): Promise<number> {
  let header: Buffer | undefined;
  /** The first piece's ancillary chunks before its image data (pHYs), but not its own animation control. */
  const ancillary: Buffer[] = [];
  const layouts: Frame[][] = [];
  for (const [k, piece] of job.pieces.entries()) {
    job.signal?.throwIfAborted();
    const frames = await withPiece(piece, async (file) => {
      const chunks = await chunksOf(file);
      const ihdr = chunks[0];
      if (ihdr?.type !== 'IHDR') throw new Error('an APNG piece does not start with IHDR');
      const own = await readAt(file, ihdr.offset, ihdr.size);
      if (k === 0) {
        header = own;
        for (const c of chunks.slice(1)) {
          if (c.type === 'acTL') continue;
          if (c.type === 'fcTL' || c.type === 'IDAT') break;
          ancillary.push(pngChunk(c.type, await readAt(file, c.offset, c.size)));
        }
      } else if (!own.equals(header!)) throw new Error('the APNG pieces differ in size or colour type');
      return framesOf(file, chunks);
    });
    layouts.push(frames);
  }
  if (!header) throw new Error('there are no APNG pieces to join');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const total = layouts.reduce((sum, frames) => sum + frames.length, 0);
  const out = await JoinedFile.create(path);
  try {
    await out.write(SIGNATURE);
    await out.write(pngChunk('IHDR', header));
    for (const c of ancillary) await out.write(c);
    const control = Buffer.alloc(8);
    control.writeUInt32BE(total, 0);
    // Plays: 0 = forever.
    control.writeUInt32BE(0, 4);
    await out.write(pngChunk('acTL', control));
    const [delayNum, delayDen] = frameDelay(job.fps);
    let sequence = 0;
    for (const [k, piece] of job.pieces.entries()) {
      await withPiece(piece, async (file) => {
        for (const [i, frame] of layouts[k].entries()) {
          job.signal?.throwIfAborted();
          const first = i === 0;
          const fctl = frame.control ? Buffer.from(frame.control) : Buffer.alloc(26);
          if (!frame.control) {
            fctl.writeUInt32BE(width, 4);
            fctl.writeUInt32BE(height, 8);
          }
          if (first && (fctl.readUInt32BE(4) !== width || fctl.readUInt32BE(8) !== height || fctl.readUInt32BE(12) !== 0 || fctl.readUInt32BE(16) !== 0)) {
            throw new Error('an APNG piece does not start with a whole frame');
          }
          fctl.writeUInt32BE(sequence++, 0);
          fctl.writeUInt16BE(delayNum, 20);
          fctl.writeUInt16BE(delayDen, 22);
          if (first) fctl[25] = BLEND_SOURCE;
          await out.write(pngChunk('fcTL', fctl));
          // Only the video's very first frame is the default image (IDAT).
          const asIdat = k === 0 && first;
          for (const c of frame.data) {
            const data = await readAt(file, c.offset, c.size);
            // fdAT's data starts with its own sequence number; IDAT's has none.
            const image = c.type === 'fdAT' ? data.subarray(4) : data;
            if (asIdat) await out.write(pngChunk('IDAT', image));
            else {
              const number = Buffer.alloc(4);
              number.writeUInt32BE(sequence++, 0);
              await out.write(pngChunk('fdAT', Buffer.concat([number, image])));
            }
          }
        }
      });
    }
    if (job.trailer) await out.write(job.trailer);
    await out.write(pngChunk('IEND', Buffer.alloc(0)));
    return total;
  } finally {
    await out.close();
  }
}
