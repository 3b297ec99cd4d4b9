/**
 * A render --from an earlier output must never replace that output unless
 * --out names it: by default the new one gets the size in its name.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';

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
