/**
 * PNG files: encoded by @napi-rs/canvas, with the resolved scene stored in an
 * iTXt chunk (keyword "cppn-motion") so a still can be re-rendered later at
 * any size.
 */
import { createCanvas, ImageData } from '@napi-rs/canvas';
import { crc32 } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const METADATA_KEYWORD = 'cppn-motion';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** An iTXt chunk: keyword, no compression, no language, UTF-8 text. */
export function pngTextChunk(keyword: string, text: string): Buffer {
  return chunk('iTXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]));
}

export function encodePng(rgba: Uint8Array, width: number, height: number, metadata?: string): Buffer {
  const canvas = createCanvas(width, height);
  const pixels = new Uint8ClampedArray(rgba.buffer instanceof SharedArrayBuffer ? rgba.slice().buffer : rgba.buffer, rgba.byteOffset, width * height * 4);
  canvas.getContext('2d').putImageData(new ImageData(pixels, width, height), 0, 0);
  const png = canvas.encodeSync('png');
  if (metadata === undefined) return png;
  // IHDR is always first: 8-byte signature + 25-byte chunk.
  const afterHeader = SIGNATURE.length + 25;
  return Buffer.concat([png.subarray(0, afterHeader), pngTextChunk(METADATA_KEYWORD, metadata), png.subarray(afterHeader)]);
}

/** The text stored under our keyword, or undefined. */
export function readPngMetadata(file: Buffer): string | undefined {
  if (!file.subarray(0, 8).equals(SIGNATURE)) return undefined;
  let at = 8;
  while (at + 8 <= file.length) {
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    const data = file.subarray(at + 8, at + 8 + length);
    if (type === 'iTXt' || type === 'tEXt') {
      const nul = data.indexOf(0);
      if (data.toString('latin1', 0, nul) === METADATA_KEYWORD) {
        if (type === 'tEXt') return data.toString('latin1', nul + 1);
        // keyword\0 compression(1) method(1) language\0 translated\0 text
        let p = nul + 3;
        p = data.indexOf(0, p) + 1;
        p = data.indexOf(0, p) + 1;
        return data.toString('utf8', p);
      }
    }
    if (type === 'IEND') break;
    at += 12 + length;
  }
  return undefined;
}

/** Decodes a PNG into RGBA (for tests and --from). */
export async function decodePng(file: Buffer): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  // The header first: a PNG claiming a huge size must not reach the decoder.
  // Loaded here: this module is loaded by render threads, which do without the scene's schema.
  const { pictureHeader } = await import('./picture-header.js');
  pictureHeader(file, 'the PNG');
  const { loadImage } = await import('@napi-rs/canvas');
  const image = await loadImage(file);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: ctx.getImageData(0, 0, image.width, image.height).data };
}
