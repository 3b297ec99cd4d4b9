/**
 * Reading and writing the GIF comment extension that carries the resolved
 * scene (for --from), without loading the frames.
 */
import { closeSync, openSync, readSync } from 'node:fs';

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
