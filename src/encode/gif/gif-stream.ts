/**
 * A GIF written as frames arrive: header, the loop extension (play forever),
 * a comment with the scene, then one image block per frame from the frame
 * coder, with delays that add up to the exact length of the video (GIF
 * counts in hundredths of a second: at 30 fps delays of 3 and 4 alternate).
 */
import { commentExtension } from '../gif-file.js';
import { GifFrameCoder, type FrameCoding } from './frame-coder.js';
import { ByteSink } from './byte-sink.js';

/** Delay of GIF frame `i`, in hundredths of a second, so that frame i starts at round(i·100/fps). */
export function gifDelay(i: number, fps: number): number {
  return Math.round(((i + 1) * 100) / fps) - Math.round((i * 100) / fps);
}

export class GifStream {
  private readonly coder: GifFrameCoder;
  /** One frame's bytes, reused frame after frame (it grows to the largest frame). */
  private readonly sink = new ByteSink();
  private frames = 0;
  /** Bytes written so far, header included. */
  bytes = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly fps: number,
    coding: FrameCoding,
    /** Receives the file's bytes in order; `data` is only valid during the call (its memory is reused). */
    private readonly write: (data: Uint8Array) => void,
    comment?: string,
  ) {
    this.coder = new GifFrameCoder(width, height, coding);
    const head = new ByteSink();
    head.append(new TextEncoder().encode('GIF89a'));
    // Logical screen: size, no global colour table (every frame has its own), background 0, square pixels.
    head.append(Uint8Array.of(width & 0xff, width >> 8, height & 0xff, height >> 8, 0, 0, 0));
    // NETSCAPE2.0 application extension: loop count 0 = forever.
    head.append(Uint8Array.of(0x21, 0xff, 11, ...new TextEncoder().encode('NETSCAPE2.0'), 3, 1, 0, 0, 0));
    if (comment !== undefined) head.append(commentExtension(comment));
    this.emit(head.view());
  }

  private emit(data: Uint8Array): void {
    this.write(data);
    this.bytes += data.length;
  }

  addFrame(rgba: Uint8Array): void {
    this.sink.length = 0;
    this.coder.encode(rgba, gifDelay(this.frames++, this.fps), this.sink);
    this.emit(this.sink.view());
  }

  end(): void {
    this.emit(Uint8Array.of(0x3b));
  }
}
