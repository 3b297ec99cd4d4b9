/**
 * Reading and writing the GIF comment extension that carries the resolved
 * scene (for --from), without loading the frames.
 */
import { FileInputError, formatBytes, withRegularFile, type RegularFile } from '../files/index.js';
import { INPUT_LIMITS } from '../scene/input-limits.js';

const CHUNK = 1 << 16;

/** Sequential reads from a file with a small window; the file ending early is a damaged GIF. */
class Reader {
  private buffer = Buffer.alloc(CHUNK);
  private start = 0;
  private end = 0;
  private position = 0;

  constructor(private readonly file: RegularFile) {}

  private fill(need: number): void {
    if (this.end - this.start >= need) return;
    const remaining = this.buffer.subarray(this.start, this.end);
    if (need > this.buffer.length) this.buffer = Buffer.alloc(Math.max(need, CHUNK));
    remaining.copy(this.buffer, 0);
    this.end = remaining.length;
    this.start = 0;
    while (this.end < need) {
      const n = Math.min(this.buffer.length - this.end, this.file.size - this.position);
      if (n <= 0) throw new FileInputError(`${this.file.subject} is damaged: it ends before its first picture`, 'damaged');
      this.file.read(this.position, n).copy(this.buffer, this.end);
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

/**
 * Reads data sub-blocks (length-prefixed, ending with a zero length), keeping
 * their data only when `keep` is set and refusing more than `limit` bytes of it.
 */
function subBlocks(reader: Reader, keep: boolean, limit: number, subject: string): Buffer[] {
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const size = reader.byte();
    if (size === 0) return parts;
    const data = reader.bytes(size);
    if (!keep) continue;
    total += size;
    if (total > limit) throw new FileInputError(`${subject}: its comment is larger than a stored scene may be (${formatBytes(limit)}); it is damaged or not a cppn-motion file`, 'too-large');
    parts.push(data);
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
  return withRegularFile(path, path, (file) => {
    if (file.size < 6 || file.read(0, 3).toString('latin1') !== 'GIF') return undefined;
    const reader = new Reader(file);
    const header = reader.bytes(13);
    if (header[10] & 0x80) reader.bytes(3 * 2 ** ((header[10] & 7) + 1));
    for (;;) {
      const introducer = reader.byte();
      if (introducer !== 0x21) return undefined;
      const label = reader.byte();
      const parts = subBlocks(reader, label === 0xfe, INPUT_LIMITS.storedScene, path);
      if (label === 0xfe) return Buffer.concat(parts).toString('utf8');
    }
  });
}
