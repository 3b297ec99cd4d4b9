/** A growable byte buffer: the GIF coder appends each frame's blocks to one, reused frame after frame. */
export class ByteSink {
  bytes = new Uint8Array(1 << 16);
  length = 0;

  append(data: Uint8Array): void {
    if (this.length + data.length > this.bytes.length) this.grow(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  private grow(need: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + need));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}
