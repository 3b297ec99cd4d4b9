/**
 * A render --from an earlier output must never replace that output unless
 * --out names it: by default the new one gets the size in its name.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { gifSize, parseByteSize, type LoadedScene } from '../scene/index.js';
import { flagWord } from '../scene/options/index.js';

function samePath(a: string, b: string): boolean {
  const real = (p: string): string => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

/**
 * The stem to write to: `stem` itself, unless one of its outputs (`paths`)
 * would be the --from source; then `stem-WxH`, or `stem-WxH-2`, … .
 */
export function stemAvoidingSource(stem: string, from: string | undefined, paths: (stem: string) => string[], size: readonly [number, number]): string {
  if (from === undefined) return stem;
  const clashes = (candidate: string): boolean => paths(candidate).some((path) => samePath(path, from));
  if (!clashes(stem)) return stem;
  const sized = `${stem}-${size[0]}x${size[1]}`;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? sized : `${sized}-${n}`;
    if (!clashes(candidate)) return candidate;
  }
}

function megabytes(bytes: number): string {
  return bytes < 1e5 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(2)} MB`;
}

/** The GIF a scene makes: its size and its length, what a size budget pays for. */
function gifExtent(loaded: LoadedScene): { size: [number, number]; pixelSeconds: number } {
  const size = gifSize(loaded.scene.output.gif.size, loaded.model.width, loaded.model.height);
  return { size, pixelSeconds: size[0] * size[1] * loaded.scene.output.duration };
}

/**
 * A GIF size budget stored in an earlier output was chosen for that output's
 * GIF. Re-rendered into a larger or longer GIF, the budget grows in
 * proportion, so the search finds settings as it did then instead of failing
 * after its trial encodes; into a smaller one it holds as it is. Either way
 * the command says so, since the budget is not on its command line. Returns
 * the budget to use (in bytes, undefined to keep the stored one) and the note.
 */
export function storedGifBudget(stored: LoadedScene, now: LoadedScene, from: string): { bytes?: number; note: string } | undefined {
  const text = stored.scene.output.gif.maxBytes;
  const bytes = text === undefined ? undefined : parseByteSize(text);
  if (bytes === undefined || !now.scene.output.formats.includes('gif')) return undefined;
  const before = gifExtent(stored);
  const after = gifExtent(now);
  const grown = after.pixelSeconds / before.pixelSeconds;
  const another = `${flagWord('gifMaxBytes')} sets another`;
  if (!(grown > 1)) return { note: `the GIF keeps the size budget stored in ${from} (${megabytes(bytes)}); ${another}` };
  const scaled = Math.round(bytes * grown);
  const describe = (e: ReturnType<typeof gifExtent>, l: LoadedScene): string => `${e.size[0]}x${e.size[1]}, ${l.scene.output.duration} s`;
  return {
    bytes: scaled,
    note: `the GIF size budget stored in ${from} (${megabytes(bytes)}, for a GIF of ${describe(before, stored)}) grows with the GIF to ${megabytes(scaled)} (${describe(after, now)}); ${another}`,
  };
}
