/**
 * The default GIF's size, one rule for the encoder (which scales the frames)
 * and the command line (which rescales a budget stored in an earlier
 * output). No imports: the GIF's own thread loads this without the scene schema.
 */

/** The default GIF's longer side at most (the example scenes, 512 pixels, keep theirs). */
export const DEFAULT_GIF_SIDE = 640;

/**
 * The GIF's size when output.gif.size is not given: the video's, scaled down
 * (aspect kept) so its longer side is at most DEFAULT_GIF_SIDE. A GIF costs
 * bits per pixel of every frame where a video codec spends them on change, so
 * a full-HD GIF is several times the size of its MP4; the default is one a
 * person can post, output.gif.size asks for any other, and a size budget
 * (output.gif.maxBytes) searches from this size down.
 */
export function defaultGifSize(width: number, height: number): [number, number] {
  const longer = Math.max(width, height);
  if (longer <= DEFAULT_GIF_SIDE) return [width, height];
  const scale = DEFAULT_GIF_SIDE / longer;
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/** The GIF's size: output.gif.size as written ("WxH" or [w, h]), or the default for a video of width × height. */
export function gifSize(size: string | readonly [number, number] | undefined, width: number, height: number): [number, number] {
  if (size === undefined) return defaultGifSize(width, height);
  const [w, h] = typeof size === 'string' ? size.split('x').map(Number) : size;
  return [w, h];
}
