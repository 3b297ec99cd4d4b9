/**
 * Loading scenes: YAML text (with positions kept for error messages) →
 * validated scene file → model, plus the weights files it names. Pure: the
 * browser preview runs exactly this; reading files is load-file.ts's job.
 */
import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { checkWeightsFit, type NetworkWeights } from '../core/index.js';
import { formatProblem, SceneError, UserError, type SceneProblem } from '../errors.js';
import { checkDocument } from './document-bounds.js';
import { INPUT_LIMITS } from './input-limits.js';
import { describeIssues } from './issues.js';
import { locate } from './locate.js';
import { loopSeamWarnings } from './loop-check.js';
import { buildModel, type SceneModel } from './model.js';
import { noOpWarnings, staticVideoWarning } from './no-op-check.js';
import { sceneSchema, type SceneFile } from './schema.js';
import { isAbsolutePath, resolvePath } from './paths.js';
import { nameProblem } from './scene-name.js';
import { FLOAT32_MAX } from './weights-file.js';

export interface LoadedScene {
  /** Where the scene came from (a file path, or an output file for --from). */
  origin: string;
  /** The validated scene with defaults filled, its name set and file paths absolute: what outputs embed. */
  scene: SceneFile;
  model: SceneModel;
  /** Weights files the scene names, by absolute path. */
  library: Map<string, NetworkWeights>;
  warnings: string[];
  /** Set when every frame of the video would be the same picture (for render, batch and validate; a still does not care). */
  motionWarning?: string;
  /** Whether the scene file itself listed output.formats (rather than taking the default). */
  formatsWritten: boolean;
}

/** Reads the weights file at an absolute path (from disk in Node, from the preview server in a browser). */
export type WeightsReader = (path: string) => NetworkWeights;

function weightsNotLoaded(path: string): NetworkWeights {
  throw new UserError(`weights file ${path} is not available here`);
}

export interface SceneSource {
  file: string;
  doc: Document;
  lines: LineCounter;
}

function located(problems: SceneProblem[], source?: SceneSource): SceneProblem[] {
  if (!source) return problems;
  return problems.map((p) => ({ ...p, file: source.file, ...locate(source.doc, source.lines, p.path) }));
}

/** Warnings about the scene (loop seams, keys that change nothing), each located when the source is known. */
export function sceneWarnings(scene: SceneFile, origin: string, source?: SceneSource): Pick<LoadedScene, 'warnings' | 'motionWarning'> {
  const seams = loopSeamWarnings(scene).map((message) => ({ path: [], message }));
  const format = (problems: Array<Pick<SceneProblem, 'path' | 'message'>>): string[] =>
    (source ? located(problems, source) : problems.map((p) => ({ ...p, file: origin }))).map(formatProblem);
  const still = staticVideoWarning(scene);
  return { warnings: format([...seams, ...noOpWarnings(scene)]), motionWarning: still && format([still])[0] };
}

/** Larger scene files are refused before parsing: the parse tree takes many times the file's size. */
export const SCENE_FILE_LIMIT = INPUT_LIMITS.sceneFile;
/** Values a scene may hold, aliases expanded (see input-limits.ts). */
export const SCENE_NODE_LIMIT = INPUT_LIMITS.values;
/** How many times aliases may expand in total (yaml's own guard against alias bombs; checkDocument refuses them first). */
const MAX_ALIAS_EXPANSION = 10_000;

/** yaml reports a structure too deep for its recursive parser as the JavaScript engine's words. */
function yamlSyntaxMessage(message: string): string {
  if (/call stack/i.test(message)) return `lists and mappings nest far more than ${INPUT_LIMITS.depth} levels deep here; a scene needs a few levels`;
  return `YAML syntax: ${message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** Parses YAML text; syntax errors, unresolved aliases and absurd sizes come back located. */
export function parseSceneText(text: string, file: string): { data: unknown; source: SceneSource } {
  const lines = new LineCounter();
  if (text.length > SCENE_FILE_LIMIT) {
    throw new SceneError([{ file, path: [], message: `the scene file is ${(text.length / 1024 / 1024).toFixed(1)} MB; scene files may be at most ${SCENE_FILE_LIMIT / 1024 / 1024} MB` }]);
  }
  let separators = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === 10 || c === 58) separators++;
  }
  if (separators > SCENE_NODE_LIMIT * 2) {
    throw new SceneError([{ file, line: 1, column: 1, path: [], message: `the scene has far more than ${SCENE_NODE_LIMIT} values; a scene this large is surely a mistake` }]);
  }
  // merge: `<<: *base` copies a mapping's keys, as YAML 1.1 and most tools allow.
  // uniqueKeys: false, because checkDocument finds duplicate keys in linear time (yaml's check is quadratic).
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, merge: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e): SceneProblem => {
      const pos = e.linePos?.[0];
      return { file, line: pos?.line, column: pos?.col, path: [], message: yamlSyntaxMessage(e.message) };
    });
    // yaml may report one place twice (a structure too deep fails in two of its stages).
    const seen = new Set<string>();
    throw new SceneError(problems.filter((p) => !seen.has(formatProblem(p)) && Boolean(seen.add(formatProblem(p)))));
  }
  // Depth, aliases (unresolved, inside themselves, expanding too far), merges, keys and tags.
  checkDocument(doc, lines, file);
  const at = (node: { range?: [number, number, number] | null } | undefined): { line?: number; column?: number } => {
    const pos = node?.range ? lines.linePos(node.range[0]) : undefined;
    return { line: pos?.line, column: pos?.col };
  };
  const splitBeziers: SceneProblem[] = [];
  visit(doc, {
    Pair(_, pair) {
      // `{ at: 1, ease: cubic-bezier(0.2, 0.8, 0.3, 1) }`: inside a flow mapping YAML splits at the commas.
      if (isScalar(pair.key) && pair.key.value === 'ease' && isScalar(pair.value) && typeof pair.value.value === 'string' && /^cubic-bezier\([^)]*$/.test(pair.value.value)) {
        splitBeziers.push({
          file,
          ...at(pair.value),
          path: [],
          message: 'ease: cubic-bezier(…) was split at its commas by YAML (inside { … } a comma separates keys); put it in quotes: ease: "cubic-bezier(0.2, 0.8, 0.3, 1)"',
        });
      }
    },
  });
  if (splitBeziers.length > 0) throw new SceneError(splitBeziers);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
  } catch (error) {
    // yaml's own guards, should one catch what checkDocument let through.
    throw new SceneError([{ file, line: 1, column: 1, path: [], message: `the scene cannot be read as data (${(error as Error).message.split('\n')[0].toLowerCase()})` }]);
  }
  if (data === null || data === undefined) {
    throw new SceneError([{ file, line: 1, column: 1, path: [], message: 'the scene is empty; see scenes/ for examples' }]);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new SceneError([{ file, line: 1, column: 1, path: [], message: 'a scene is a mapping of keys (name:, network:, keyframes: …)' }]);
  }
  return { data, source: { file, doc, lines } };
}

/** Validates scene data against the schema; problems are located in the source when there is one. */
export function validateSceneData(data: unknown, source?: SceneSource): SceneFile {
  const result = sceneSchema.safeParse(data, { reportInput: true });
  const problems = [...beyondFloat32(data), ...(result.success ? [] : [...describeIssues(result.error.issues, sceneSchema), ...crossChecks(data, result.error.issues)])];
  if (problems.length > 0 || !result.success) throw new SceneError(located(problems, source));
  return result.data;
}

/**
 * zod runs the whole-scene checks (keyframe order and times, easings, layer
 * counts) only once every field is valid, so a scene with a typo would get
 * its timeline problems in a second round. Here the invalid fields are taken
 * out (their defaults stand in) and the checks run on the rest; problems
 * touching a field taken out are left to that field's own message.
 */
function crossChecks(data: unknown, issues: ReadonlyArray<{ path: PropertyKey[] }>): SceneProblem[] {
  if (typeof data !== 'object' || data === null) return [];
  const pruned = structuredClone(data) as Record<string | number, unknown>;
  const removed = issues.map((issue) => issue.path.filter((p): p is string | number => typeof p !== 'symbol'));
  for (const path of removed) {
    let at: unknown = pruned;
    for (const key of path.slice(0, -1)) at = typeof at === 'object' && at !== null ? (at as Record<string | number, unknown>)[key] : undefined;
    if (typeof at === 'object' && at !== null && path.length > 0) delete (at as Record<string | number, unknown>)[path[path.length - 1]];
  }
  const again = sceneSchema.safeParse(pruned, { reportInput: true });
  if (again.success) return [];
  const related = (a: ReadonlyArray<string | number>, b: ReadonlyArray<string | number>): boolean => a.slice(0, b.length).every((p, i) => p === b[i]) || b.slice(0, a.length).every((p, i) => p === a[i]);
  const custom = again.error.issues.filter((issue) => issue.code === 'custom' && !removed.some((path) => related(path, issue.path as Array<string | number>)));
  return describeIssues(custom, sceneSchema);
}

/** Numbers anywhere in the scene that float32 cannot hold (they would render black, NaN inside). */
function beyondFloat32(data: unknown, path: Array<string | number> = []): SceneProblem[] {
  if (typeof data === 'number') return Number.isFinite(data) && Math.abs(data) > FLOAT32_MAX ? [{ path, message: `${data} is beyond the renderer's range (32-bit floats, at most ±3.4e38)` }] : [];
  if (Array.isArray(data)) return data.flatMap((v, i) => beyondFloat32(v, [...path, i]));
  if (typeof data === 'object' && data !== null) return Object.entries(data).flatMap(([k, v]) => beyondFloat32(v, [...path, k]));
  return [];
}

/**
 * Builds a loaded scene from validated data. `baseDir` resolves relative
 * weights paths; `fallbackName` names outputs when the scene has no name;
 * weights files already in `known` are not read again.
 */
export function sceneFromFile(
  scene: SceneFile,
  origin: string,
  baseDir: string,
  fallbackName: string,
  known: ReadonlyMap<string, NetworkWeights> = new Map(),
  readWeights: WeightsReader = weightsNotLoaded,
): LoadedScene {
  const absolute = (file: string): string => (isAbsolutePath(file) ? file : resolvePath(baseDir, file));
  // The same rule as for a name: key (a file named ..yaml would name its outputs "." and write them anywhere).
  const fallbackProblem = scene.name === undefined ? nameProblem(fallbackName) : undefined;
  if (fallbackProblem !== undefined) {
    throw new SceneError([{ file: origin, path: [], message: `the scene has no name:, and its file name gives "${fallbackName}", which cannot name output files: ${fallbackProblem}; add a name: key` }]);
  }
  const normalised: SceneFile = {
    ...scene,
    name: scene.name ?? fallbackName,
    weights: scene.weights !== undefined ? absolute(scene.weights) : undefined,
    keyframes: scene.keyframes.map((k) => (k.weights !== undefined ? { ...k, weights: absolute(k.weights) } : k)),
  };
  const model = buildModel(normalised, normalised.name!);
  const library = new Map<string, NetworkWeights>();
  const uses: Array<[string | undefined, string]> = [[normalised.weights, 'weights'], ...normalised.keyframes.map((k, i): [string | undefined, string] => [k.weights, `keyframes[${i}].weights`])];
  for (const [path, key] of uses) {
    if (path === undefined || library.has(path)) continue;
    const weights = known.get(path) ?? readWeights(path);
    try {
      checkWeightsFit(model.shape, weights);
    } catch (error) {
      throw new UserError(
        `${origin}: ${key}: ${path} does not fit the scene's network: ${(error as Error).message}`,
        'the network block must describe the same layers as the file (inputs, hidden widths, output channels); `cppn-motion weights export` writes a matching file',
      );
    }
    library.set(path, weights);
  }
  return { origin, scene: normalised, model, library, ...sceneWarnings(normalised, origin), formatsWritten: true };
}
