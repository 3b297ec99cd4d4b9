/**
 * Colours as 32-bit words: r, g, b and a are the bytes from the lowest
 * (every platform Node runs on is little-endian), so a colour is
 * `word & 0xffffff` and comparing two colours is one comparison. The frame
 * coder and the compressor both work on colours this way.
 */

/** A frame's RGBA pixels as words (a copy only where the bytes are not 4-aligned). */
export function pixelWords(rgba: Uint8Array): Uint32Array {
  const aligned = rgba.byteOffset % 4 === 0 ? rgba : rgba.slice();
  return new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length >> 2);
}

/**
 * The squared distance of two colours (words; the top byte is ignored), or
 * −1 where they differ by more than `tolerance` on any channel.
 */
export function distanceWithin(a: number, b: number, tolerance: number): number {
  const dr = (a & 0xff) - (b & 0xff);
  const dg = ((a >> 8) & 0xff) - ((b >> 8) & 0xff);
  const db = ((a >> 16) & 0xff) - ((b >> 16) & 0xff);
  if (dr > tolerance || dr < -tolerance || dg > tolerance || dg < -tolerance || db > tolerance || db < -tolerance) return -1;
  return dr * dr + dg * dg + db * db;
}
