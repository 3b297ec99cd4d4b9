/**
 * PNG files: encoded by @napi-rs/canvas, with the resolved scene stored in an
 * iTXt chunk (keyword "cppn-motion") so a still can be re-rendered later at
 * any size.
 */
import { createCanvas, ImageData } from '@napi-rs/canvas';
import { crc32 } from 'node:zlib';
import { BufferSource, FileInputError, formatBytes, type ByteSource } from '../files/index.js';
import { INPUT_LIMITS } from '../scene/input-limits.js';
import { inflateStoredScene } from './scene-comment.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const METADATA_KEYWORD = 'cppn-motion';

/** A whole PNG chunk: length, type, data and the CRC of type and data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** An iTXt chunk: keyword, no compression, no language, UTF-8 text. */
export function pngTextChunk(keyword: string, text: string): Buffer {
  return pngChunk('iTXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]));
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

/** A PNG chunk: its type, where its data starts, and its length. */
export interface PngChunk {
  type: string;
  offset: number;
  size: number;
}

/** The PNG specification caps a chunk's length at 2^31 − 1 bytes. */
const CHUNK_LENGTH_LIMIT = 2 ** 31 - 1;
/** A keyword is 1 to 79 bytes, then a NUL: reading this much tells whether a text chunk is ours. */
const KEYWORD_PREFIX = 80;
/** Room in a text chunk besides the text (keyword, flags, language tags): anything larger than the stored-scene limit plus this is refused unread. */
const TEXT_CHUNK_OVERHEAD = 4096;

/**
 * The chunks of a PNG, header by header, up to IEND, without reading their
 * data. Lengths are the file's own claims: one that runs past the end (a text
 * chunk claiming 2 GB in a file of 2 KB) makes the file damaged, never a read.
 */
export function pngChunkList(source: ByteSource): PngChunk[] {
  if (source.size < SIGNATURE.length || !source.read(0, SIGNATURE.length).equals(SIGNATURE)) {
    throw new FileInputError(`${source.subject} is not a PNG file (it does not start with PNG's signature)`, 'damaged');
  }
  const chunks: PngChunk[] = [];
  for (let at = SIGNATURE.length; at + 8 <= source.size; ) {
    const head = source.read(at, 8);
    const size = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    if (size > CHUNK_LENGTH_LIMIT || at + 12 + size > source.size) {
      throw new FileInputError(`${source.subject} is damaged: its ${JSON.stringify(type)} chunk at byte ${at} claims ${size} bytes, past the file's end (${source.size} bytes)`, 'damaged');
    }
    chunks.push({ type, offset: at + 8, size });
    if (type === 'IEND') break;
    at += 12 + size;
  }
  return chunks;
}

/**
 * The text of a tEXt or iTXt chunk under `keyword`, or undefined when the
 * chunk has another keyword. Reads only the keyword until it matches, and
 * refuses a chunk larger than any stored scene before reading it.
 */
function chunkText(source: ByteSource, chunk: PngChunk, keyword: string): string | undefined {
  const prefix = source.read(chunk.offset, Math.min(chunk.size, KEYWORD_PREFIX));
  const nul = prefix.indexOf(0);
  if (nul < 0 || prefix.toString('latin1', 0, nul) !== keyword) return undefined;
  if (chunk.size > INPUT_LIMITS.storedScene + TEXT_CHUNK_OVERHEAD) {
    throw new FileInputError(`${source.subject}: its stored scene is ${formatBytes(chunk.size)}, more than a stored scene may be (${formatBytes(INPUT_LIMITS.storedScene)}); it is damaged or not a cppn-motion file`, 'too-large');
  }
  const data = source.read(chunk.offset, chunk.size);
  if (chunk.type === 'tEXt') return data.toString('latin1', nul + 1);
  // iTXt: keyword\0 compression flag(1) method(1) language\0 translated keyword\0 text
  const damaged = (): FileInputError => new FileInputError(`${source.subject} is damaged: its ${keyword} text chunk is cut short`, 'damaged');
  if (data.length < nul + 3) throw damaged();
  const compressed = data[nul + 1] === 1;
  const language = data.indexOf(0, nul + 3);
  const translated = language < 0 ? -1 : data.indexOf(0, language + 1);
  if (translated < 0) throw damaged();
  const text = data.subarray(translated + 1);
  return compressed ? inflateStoredScene(text, false, source.subject) : text.toString('utf8');
}

/** The text stored under our keyword in a PNG or APNG (tEXt or iTXt, anywhere before IEND), or undefined. */
export function storedPngText(source: ByteSource): string | undefined {
  for (const chunk of pngChunkList(source)) {
    if (chunk.type !== 'iTXt' && chunk.type !== 'tEXt') continue;
    const text = chunkText(source, chunk, METADATA_KEYWORD);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** The text stored under our keyword, or undefined (also for a file that is not a PNG). A damaged PNG throws a FileInputError. */
export function readPngMetadata(file: Buffer): string | undefined {
  if (!file.subarray(0, 8).equals(SIGNATURE)) return undefined;
  return storedPngText(new BufferSource(file, 'the PNG'));
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
