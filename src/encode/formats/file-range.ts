/** Reading one chunk's bytes out of a container file (PNG, RIFF) without loading the rest; a range past the end is a damaged file. */
import { withRegularFile } from '../../files/index.js';

export function readFileRange(path: string, range: { offset: number; size: number }): Buffer {
  return withRegularFile(path, path, (file) => file.read(range.offset, range.size));
}
