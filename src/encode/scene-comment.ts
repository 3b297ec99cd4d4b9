/**
 * The scene as stored in an MP4's or WebM's comment tag. ffmpeg takes the tag
 * as one command-line argument, and Linux caps one argument at 128 KiB
 * (spawn E2BIG): a scene of thousands of keyframes is larger. Such a scene is
 * stored deflated and base64-encoded behind a prefix; JSON never starts with
 * the prefix, so both forms read back unambiguously.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { UserError } from '../errors.js';

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

export function unpackSceneComment(text: string): string {
  return text.startsWith(PACKED) ? inflateRawSync(Buffer.from(text.slice(PACKED.length), 'base64')).toString('utf8') : text;
}
