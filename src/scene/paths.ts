/**
 * File paths as plain strings, without node:path, so scenes resolve their
 * weights files the same way in Node and in the browser preview. POSIX
 * separators; a Windows drive or UNC prefix counts as absolute too.
 */

export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

/** `file` resolved against the folder `base`, with `.` and `..` steps removed. */
export function resolvePath(base: string, file: string): string {
  if (isAbsolutePath(file)) return normalisePath(file);
  return normalisePath(`${base.replace(/[\\/]+$/, '')}/${file}`);
}

function normalisePath(path: string): string {
  const drive = /^[A-Za-z]:/.exec(path)?.[0] ?? '';
  const parts: string[] = [];
  for (const part of path.slice(drive.length).split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `${drive}/${parts.join('/')}`;
}

/** The folder holding `path`. */
export function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** The file name without its folder and extension: scenes/drift.yaml → drift. */
export function stemOf(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
