/**
 * Loading scenes: YAML text (with positions kept for error messages) →
 * validated scene file → model, plus the weights files it names. Pure: the
 * browser preview runs exactly this; reading files is load-file.ts's job.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { checkWeightsFit, type NetworkWeights } from '../core/index.js';
import { formatProblem, SceneError, UserError, type SceneProblem } from '../errors.js';
import { describeIssues } from './issues.js';
import { locate } from './locate.js';
import { loopSeamWarnings } from './loop-check.js';
import { buildModel, type SceneModel } from './model.js';
import { noOpWarnings, staticVideoWarning } from './no-op-check.js';
import { sceneSchema, type SceneFile } from './schema.js';
import { isAbsolutePath, resolvePath } from './paths.js';

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

/** Parses YAML text; syntax errors come back with line and column. */
export function parseSceneText(text: string, file: string): { data: unknown; source: SceneSource } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SceneError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return { file, line: pos?.line, column: pos?.col, path: [], message: `YAML syntax: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}` };
      }),
    );
  }
  const data = doc.toJS({ maxAliasCount: 1000 });
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
  if (!result.success) throw new SceneError(located(describeIssues(result.error.issues, sceneSchema), source));
  return result.data;
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
