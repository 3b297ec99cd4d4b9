/**
 * Pictures people give us (the target of `fit`, a PNG to decode): their
 * header says how large they are, and a decoder allocates what the header
 * claims before it reads a pixel. A 67-byte PNG whose header claims
 * 60000×60000 made the decoder (Skia, in @napi-rs/canvas) abort the whole
 * process. So the header is read first, by image-size (which decodes
 * nothing), and a picture beyond the frame limits, or of a kind the decoder
 * does not read, is refused with a clear message.
 */
import { imageSize } from 'image-size';
import { UserError } from '../errors.js';
import { LIMITS } from '../scene/index.js';

/** The kinds of picture the decoder reads, as image-size names them, in words. */
const READABLE: Readonly<Record<string, string>> = { png: 'PNG', jpg: 'JPEG', webp: 'WebP', gif: 'GIF', bmp: 'BMP', heif: 'AVIF' };

/** The largest picture read: the same limits as a frame (a side, and the pixel count). */
export const PICTURE_LIMITS = { side: LIMITS.side, pixels: LIMITS.pixels } as const;

export interface PictureHeader {
  width: number;
  height: number;
  /** PNG, JPEG, WebP, GIF, BMP or AVIF. */
  kind: string;
}

const KINDS = Object.values(READABLE).join(', ');

/** The size and kind of the picture in `file` (named `name` in messages), checked against the limits before any decoding. */
export function pictureHeader(file: Uint8Array, name: string): PictureHeader {
  let header: ReturnType<typeof imageSize>;
  try {
    header = imageSize(file);
  } catch {
    throw new UserError(`${name} is not an image that can be read`, `give a picture file: ${KINDS}`);
  }
  const kind = header.type === undefined ? undefined : READABLE[header.type];
  if (kind === undefined) throw new UserError(`${name} is not an image that can be read (it is ${header.type?.toUpperCase() ?? 'of an unknown kind'})`, `give a picture file: ${KINDS}`);
  const { width, height } = header;
  if (!(width > 0 && height > 0)) throw new UserError(`${name} has no pixels (its header says ${width}x${height})`);
  if (width > PICTURE_LIMITS.side || height > PICTURE_LIMITS.side || width * height > PICTURE_LIMITS.pixels) {
    throw new UserError(
      `${name} is ${width}x${height} pixels by its header: more than a picture may have (${PICTURE_LIMITS.side} pixels a side, ${PICTURE_LIMITS.pixels / 1024 / 1024} megapixels)`,
      'scale it down first; a fit learns the picture at 128 pixels on the longer side by default',
    );
  }
  return { width, height, kind };
}
