/**
 * Finishing touches on GIFs written by ffmpeg, in one streamed pass (memory
 * stays small however long the GIF):
 * - segments: a long GIF is mapped onto its palette in segments (bounded
 *   memory, and segments run in parallel); here they become one file;
 * - frame delays: GIF stores them in 1/100 s, and ffmpeg rounds every frame
 *   the same way (30 fps becomes 3/100 s, a GIF that plays at 33 fps). Here
 *   frame i gets round((i+1)·100/fps) − round(i·100/fps), so delays of 3 and
 *   4 alternate and the loop lasts exactly as long as the video;
 * - a comment extension carrying the resolved scene (for --from).
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

const CHUNK = 1 << 16;

/** Sequential reads from a file with a small window. */
class Reader {
  private buffer = Buffer.alloc(CHUNK);
  private start = 0;
  private end = 0;
  private position = 0;

  constructor(private readonly fd: number) {}

  private fill(need: number): void {
    if (this.end - this.start >= need) return;
    const remaining = this.buffer.subarray(this.start, this.end);
    if (need > this.buffer.length) this.buffer = Buffer.alloc(Math.max(need, CHUNK));
    remaining.copy(this.buffer, 0);
    this.end = remaining.length;
    this.start = 0;
    while (this.end < need) {
      const n = readSync(this.fd, this.buffer, this.end, this.buffer.length - this.end, this.position);
      if (n === 0) throw new Error('the GIF ended early');
      this.end += n;
      this.position += n;
    }
  }

  bytes(n: number): Buffer {
    this.fill(n);
    const out = Buffer.from(this.buffer.subarray(this.start, this.start + n));
    this.start += n;
    return out;
  }

  byte(): number {
    return this.bytes(1)[0];
  }
}

/** Reads data sub-blocks (length-prefixed, ending with a zero length) including the terminator. */
function subBlocks(reader: Reader): Buffer[] {
  const parts: Buffer[] = [];
  for (;;) {
    const size = reader.byte();
    parts.push(Buffer.from([size]));
    if (size === 0) return parts;
    parts.push(reader.bytes(size));
  }
}

export function commentExtension(text: string): Buffer {
  const data = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [Buffer.from([0x21, 0xfe])];
  for (let at = 0; at < data.length; at += 255) {
    const piece = data.subarray(at, at + 255);
    parts.push(Buffer.from([piece.length]), piece);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export interface GifAssembly {
  comment?: string;
  /** Frames per second the delays should add up to. */
  fps?: number;
}

/**
 * Joins GIFs made from consecutive segments of one video with one palette
 * into `output`: the first file's header, screen and loop extension, then
 * every file's frames in order. A segment whose global colour table differs
 * (it should not) has it moved into its frames as local tables. Fixes the
 * delays and adds the comment on the way. Returns the number of frames.
 */
export function assembleGif(inputs: readonly string[], output: string, options: GifAssembly): number {
  const outFd = openSync(output, 'w');
  let frame = 0;
  const delay = (i: number): number => (options.fps ? Math.round(((i + 1) * 100) / options.fps) - Math.round((i * 100) / options.fps) : -1);
  try {
    const write = (b: Buffer): void => {
      writeSync(outFd, b);
    };
    let globalTable: Buffer | undefined;
    inputs.forEach((input, index) => {
      const inFd = openSync(input, 'r');
      try {
        const reader = new Reader(inFd);
        const header = reader.bytes(13);
        if (header.toString('latin1', 0, 3) !== 'GIF') throw new Error(`${input} is not a GIF`);
        const packed = header[10];
        const table = packed & 0x80 ? reader.bytes(3 * 2 ** ((packed & 7) + 1)) : undefined;
        const first = index === 0;
        if (first) {
          globalTable = table;
          write(header);
          if (table) write(table);
        }
        // The comment follows the loop extension, which decoders expect right after the header.
        let commentPending = first && options.comment !== undefined;
        const writeComment = (): void => {
          if (commentPending) write(commentExtension(options.comment!));
          commentPending = false;
        };
        // Frames of a segment whose palette differs carry it as a local table.
        const localTable = !first && table && !(globalTable && table.equals(globalTable)) ? table : undefined;
        for (;;) {
          const introducer = reader.byte();
          if (introducer === 0x3b) break;
          if (introducer === 0x21) {
            const label = reader.byte();
            if (label === 0xf9) {
              // Graphic control extension: size 4, packed, delay (LE 16-bit), transparent index, terminator.
              writeComment();
              const block = reader.bytes(6);
              const d = delay(frame);
              if (d >= 0) block.writeUInt16LE(d, 2);
              write(Buffer.from([0x21, 0xf9]));
              write(block);
              continue;
            }
            const parts = subBlocks(reader);
            // Keep one loop extension (the first file's); drop any other comments.
            if ((label === 0xff && !first) || label === 0xfe) continue;
            write(Buffer.from([0x21, label]));
            for (const part of parts) write(part);
            if (label === 0xff) writeComment();
            continue;
          }
          if (introducer === 0x2c) {
            writeComment();
            const descriptor = reader.bytes(9);
            const local = descriptor[8];
            const ownTable = local & 0x80 ? reader.bytes(3 * 2 ** ((local & 7) + 1)) : undefined;
            if (!ownTable && localTable) descriptor[8] = (local & 0x78) | 0x80 | (Math.log2(localTable.length / 3) - 1);
            write(Buffer.from([0x2c]));
            write(descriptor);
            if (ownTable) write(ownTable);
            else if (localTable) write(localTable);
            write(Buffer.from([reader.byte()])); // LZW minimum code size
            for (const part of subBlocks(reader)) write(part);
            frame++;
            continue;
          }
          throw new Error(`${input}: unexpected GIF block 0x${introducer.toString(16)}`);
        }
      } finally {
        closeSync(inFd);
      }
    });
    write(Buffer.from([0x3b]));
    return frame;
  } finally {
    closeSync(outFd);
  }
}

/** The first comment extension's text, or undefined. Stops at the first image. */
export function readGifComment(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const reader = new Reader(fd);
    const header = reader.bytes(13);
    if (header.toString('latin1', 0, 3) !== 'GIF') return undefined;
    if (header[10] & 0x80) reader.bytes(3 * 2 ** ((header[10] & 7) + 1));
    for (;;) {
      const introducer = reader.byte();
      if (introducer !== 0x21) return undefined;
      const label = reader.byte();
      const parts = subBlocks(reader).filter((_, i) => i % 2 === 1);
      if (label === 0xfe) return Buffer.concat(parts).toString('utf8');
    }
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
