/**
 * The files a preview may serve: the scene files it was given and the weights
 * files they name, each inside its scene's folder once symbolic links are
 * followed. Everything else is out of reach, whatever the request says.
 */
import { createHash } from 'node:crypto';
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve, sep } from 'node:path';
import { globSync } from 'tinyglobby';
import { UserError } from '../errors.js';
import { readRegularFile } from '../files/index.js';
import { INPUT_LIMITS, parseSceneText, resolvePath, validateSceneData } from '../scene/index.js';
import type { SceneEntry } from './page/protocol.js';

export interface PreviewScene extends SceneEntry {
  /** Absolute, symbolic links resolved. */
  path: string;
  /** The scene's folder, symbolic links resolved: nothing outside it is served. */
  folder: string;
  /** Absolute, as found (a link stays a link): checked again at every read and write. */
  given: string;
  /** What the scene must stay inside: the folder previewed, or the named file's own folder. */
  root: string;
}

const SCENE_EXTENSIONS = ['.yaml', '.yml'];

/**
 * The scenes named on the command line: files, or folders of .yaml files. A
 * file in a folder that is a symbolic link to somewhere outside the folder is
 * left out (`warn` says so): previewing a folder serves that folder only. A
 * file named on its own is the user's explicit choice, link or not.
 */
export function findScenes(args: readonly string[], warn: (message: string) => void = () => {}): PreviewScene[] {
  const files: Array<{ file: string; root?: string }> = [];
  for (const arg of args) {
    let isFolder: boolean;
    try {
      isFolder = statSync(arg).isDirectory();
    } catch {
      throw new UserError(`scene file ${arg} does not exist`);
    }
    if (!isFolder) {
      files.push({ file: arg });
      continue;
    }
    const found = globSync(['*.yaml', '*.yml'], { cwd: arg }).sort();
    if (found.length === 0) throw new UserError(`${arg} holds no scene files (.yaml or .yml)`);
    const root = realpathSync(arg);
    files.push(...found.map((name) => ({ file: join(arg, name), root })));
  }
  const seen = new Set<string>();
  const scenes: PreviewScene[] = [];
  for (const { file, root } of files) {
    if (!SCENE_EXTENSIONS.includes(extname(file).toLowerCase())) throw new UserError(`${file} is not a scene file (.yaml or .yml)`);
    let path: string;
    try {
      path = realpathSync(file);
    } catch {
      warn(`${file} is left out: it is a symbolic link to nothing`);
      continue;
    }
    if (root !== undefined && !isInside(root, path)) {
      warn(`${file} is left out: it is a symbolic link to ${path}, outside the folder previewed`);
      continue;
    }
    if (seen.has(path)) continue;
    seen.add(path);
    scenes.push({ id: scenes.length, file, name: basename(file, extname(file)), path, folder: dirname(path), given: resolve(file), root: root ?? dirname(path) });
  }
  if (scenes.length === 0) throw new UserError(`no scene files to preview in ${args.join(', ')}`);
  return scenes;
}

/**
 * Whether the scene is still where it was found: its path (followed again,
 * since a file can be swapped for a link while the preview runs) leads to
 * the same real file, inside what the preview serves.
 */
export function stillInPlace(scene: PreviewScene): boolean {
  try {
    return realpathSync(scene.given) === scene.path && isInside(scene.root, scene.path) && lstatSync(scene.path).isFile();
  } catch {
    return false;
  }
}

/** Names one version of a scene file's contents: the page sends it back with a write, so a file changed since is never overwritten. */
export function contentVersion(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Whether `path` lies inside `folder` (both absolute, links resolved). */
export function isInside(folder: string, path: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/** The weights files a scene names, absolute and links resolved; none when it does not parse. */
export function weightsFilesOf(scene: PreviewScene): string[] {
  try {
    const { data, source } = parseSceneText(readRegularFile(scene.path, scene.file, INPUT_LIMITS.sceneFile, 'scene files').toString('utf8'), scene.file);
    const file = validateSceneData(data, source);
    const named = [file.weights, ...file.keyframes.map((k) => k.weights)].filter((p): p is string => p !== undefined);
    return [...new Set(named.map((p) => (isAbsolute(p) ? resolve(p) : resolvePath(scene.folder, p))))];
  } catch {
    return [];
  }
}

/**
 * The file behind `/files/<id>/<segments…>`, or undefined (→ 404). Segments
 * arrive still percent-encoded, so `%2e%2e` is caught after decoding too.
 */
export function servableFile(scene: PreviewScene, rawSegments: readonly string[]): string | undefined {
  const segments: string[] = [];
  for (const raw of rawSegments) {
    let part: string;
    try {
      part = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (part === '' || part === '.' || part === '..' || /[\\/\0]/.test(part)) return undefined;
    segments.push(part);
  }
  let real: string;
  try {
    real = realpathSync(join(scene.folder, ...segments));
  } catch {
    return undefined;
  }
  if (!isInside(scene.folder, real) || !stillInPlace(scene)) return undefined;
  if (real === scene.path) return real;
  const allowed = weightsFilesOf(scene).map((p) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  });
  return allowed.includes(real) ? real : undefined;
}
