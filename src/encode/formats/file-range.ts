/** Reading one chunk's bytes out of a container file (PNG, RIFF) without loading the rest. */
import { closeSync, openSync, readSync } from 'node:fs';

export function readFileRange(path: string, range: { offset: number; size: number }): Buffer {
  const fd = openSync(path, 'r');
  try {
    const data = Buffer.alloc(range.size);
    readSync(fd, data, 0, range.size, range.offset);
    return data;
  } finally {
    closeSync(fd);
  }
}
