/**
 * A GIF's bytes: a head (header, the loop extension, a comment with the
 * scene), image blocks from the frame coder with delays that add up to the
 * exact length of the video (GIF counts in hundredths of a second: at 30 fps
 * delays of 3 and 4 alternate), and the trailer. A GIF made of pieces is one
 * head, each piece's image blocks in turn, and one trailer: every piece's
 * first frame is coded whole, without reference to the piece before it.
 */
import { commentExtension } from '../gif-file.js';
import { GifFrameCoder, type FrameCoding } from './frame-coder.js';
import { ByteSink } from './byte-sink.js';

/** Delay of GIF frame `i`, in hundredths of a second, so that frame i starts at round(i·100/fps). */
export function gifDelay(i: number, fps: number): number {
  return Math.round(((i + 1) * 100) / fps) - Math.round((i * 100) / fps);
}

/** The byte that ends every GIF. */
export const GIF_TRAILER = Uint8Array.of(0x3b);

/** Header, logical screen, the loop extension (play forever) and the comment: everything before the first frame. */
export function gifHead(width: number, height: number, comment?: string): Uint8Array {
  const head = new ByteSink();
  head.append(new TextEncoder().encode('GIF89a'));
  // Logical screen: size, no global colour table (every frame has its own), background 0, square pixels.
  head.append(Uint8Array.of(width & 0xff, width >> 8, height & 0xff, height >> 8, 0, 0, 0));
  // NETSCAPE2.0 application extension: loop count 0 = forever.
  head.append(Uint8Array.of(0x21, 0xff, 11, ...new TextEncoder().encode('NETSCAPE2.0'), 3, 1, 0, 0, 0));
  if (comment !== undefined) head.append(commentExtension(comment));
  return head.view().slice();
}

/** Consecutive frames of a GIF, starting at GIF frame `firstIndex` (for its delays); the first is coded whole. */
export class GifFrames {
  private readonly coder: GifFrameCoder;
  /** One frame's bytes, reused frame after frame (it grows to the largest frame). */
  private readonly sink = new ByteSink();
  private index: number;
  /** Bytes written so far. */
  bytes = 0;
  frames = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly fps: number,
    coding: FrameCoding,
    /** Receives the bytes in order; `data` is only valid during the call (its memory is reused). */
    private readonly write: (data: Uint8Array) => void,
    firstIndex = 0,
  ) {
    this.coder = new GifFrameCoder(width, height, coding);
    this.index = firstIndex;
  }

  addFrame(rgba: Uint8Array): void {
    this.sink.length = 0;
    this.coder.encode(rgba, gifDelay(this.index++, this.fps), this.sink);
    this.write(this.sink.view());
    this.bytes += this.sink.length;
    this.frames++;
  }
}

/** A whole GIF in one stream: head, frames, trailer. */
export class GifStream {
  private readonly frames: GifFrames;
  /** Bytes written so far, header included. */
  bytes = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    fps: number,
    coding: FrameCoding,
    /** Receives the file's bytes in order; `data` is only valid during the call (its memory is reused). */
    private readonly write: (data: Uint8Array) => void,
    comment?: string,
  ) {
    this.emit(gifHead(width, height, comment));
    this.frames = new GifFrames(width, height, fps, coding, (data) => this.emit(data));
  }

  private emit(data: Uint8Array): void {
    this.write(data);
    this.bytes += data.length;
  }

  addFrame(rgba: Uint8Array): void {
    this.frames.addFrame(rgba);
  }

  end(): void {
    this.emit(GIF_TRAILER);
  }
}
