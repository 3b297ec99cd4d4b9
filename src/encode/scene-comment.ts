/**
 * The scene as stored in an MP4's or WebM's comment tag. ffmpeg takes the tag
 * as one command-line argument, and Linux caps one argument at 128 KiB
 * (spawn E2BIG): a scene of thousands of keyframes is larger. Such a scene is
 * stored deflated and base64-encoded behind a prefix; JSON never starts with
 * the prefix, so both forms read back unambiguously.
 */
import { deflateRawSync, inflateRawSync, inflateSync } from 'node:zlib';
import { UserError } from '../errors.js';
import { FileInputError, formatBytes } from '../files/index.js';
import { INPUT_LIMITS } from '../scene/input-limits.js';

const PACKED = 'cppn-motion:deflate:';
/** Up to this size the scene is stored as plain JSON (readable with any tool). */
const PLAIN_LIMIT = 64 * 1024;
/** What fits one argument, with room for "comment=". */
const ARGUMENT_LIMIT = 127 * 1024;

export function packSceneComment(json: string, output: string): string {
  if (Buffer.byteLength(json) <= PLAIN_LIMIT) return json;
  const packed = PACKED + deflateRawSync(json, { level: 9 }).toString('base64');
  if (packed.length > ARGUMENT_LIMIT) {
    throw new UserError(`${output}: the scene is too large to store in a video file (${Math.round(packed.length / 1024)} KiB compressed, at most ${ARGUMENT_LIMIT / 1024} KiB)`, 'GIF and PNG outputs store scenes of any size; or make the scene smaller');
  }
  return packed;
}

/**
 * Unpacks compressed stored text, stopping as soon as it grows past what a
 * stored scene may be: a few megabytes of deflate stream can unpack to
 * gigabytes (a deflate bomb), so the limit is zlib's, not a check afterwards.
 * `raw`: a bare deflate stream (our comment tag) or a zlib one (PNG iTXt).
 */
export function inflateStoredScene(data: Buffer, raw: boolean, subject: string): string {
  try {
    return (raw ? inflateRawSync : inflateSync)(data, { maxOutputLength: INPUT_LIMITS.storedScene }).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new FileInputError(`${subject}: its stored scene unpacks to more than ${formatBytes(INPUT_LIMITS.storedScene)}, more than a stored scene may be; it is damaged or not a cppn-motion file`, 'too-large');
    }
    throw new FileInputError(`${subject}: its stored scene is damaged (its compressed data does not unpack)`, 'damaged');
  }
}

/** The scene JSON in a stored comment, unpacked when it was packed. */
export function unpackSceneComment(text: string, subject: string): string {
  return text.startsWith(PACKED) ? inflateStoredScene(Buffer.from(text.slice(PACKED.length), 'base64'), true, subject) : text;
}
