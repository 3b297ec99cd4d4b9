/**
 * Writing a changed scene back into its YAML text, keeping everything the
 * change does not touch: comments, key order, blank lines, quoting and the
 * spacing of flow collections. The change is planned as a few edits (set a
 * key, delete a key, insert a keyframe) from the difference between the
 * scene as the file has it and the scene wanted; each edit is spliced into
 * the text at the place the `yaml` Document API locates, so untouched bytes
 * stay as they were. Should a file's shape defeat splicing (aliases where
 * the change goes, say), the same edits go through the Document API
 * instead (comments and order kept, some spacing normalised). Either way the
 * result is parsed and validated again and must be exactly the scene wanted.
 */
import { isCollection, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { UserError } from '../../errors.js';
import { keyframeSeconds } from '../keyframe-time.js';
import { parseSceneText, validateSceneData } from '../load.js';
import type { SceneFile } from '../schema.js';

type Path = Array<string | number>;

export type SceneEdit =
  | { kind: 'set'; path: Path; value: unknown }
  | { kind: 'delete'; path: Path }
  | { kind: 'insert'; path: Path; index: number; value: unknown };

/**
 * Mappings whose keys are compared one by one; every other value (layer
 * lists, activations, palettes, nudges, tuples) is written whole.
 */
const SECTIONS = new Set(['', 'network', 'network.time', 'network.output', 'view', 'colour', 'output', 'orbit', 'series']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep equality of plain data, key order aside, undefined keys as absent. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameData(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameData(a[k], b[k]));
  }
  return false;
}

/** Only the leaves of a section that differ, for a section the file does not have yet. */
function sectionDifference(from: unknown, to: Record<string, unknown>, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const before = isObject(from) ? from[key] : undefined;
    if (sameData(before, value)) continue;
    const inner = path ? `${path}.${key}` : key;
    out[key] = SECTIONS.has(inner) && isObject(value) ? sectionDifference(before, value, inner) : value;
  }
  return out;
}

/** The edits that turn `from` (the scene as the file has it) into `to`, given the file's document. */
export function planEdits(doc: Document, from: SceneFile, to: SceneFile): SceneEdit[] {
  const edits: SceneEdit[] = [];
  const exists = (path: Path): boolean => path.length === 0 || doc.getIn(path, true) !== undefined;

  const section = (a: Record<string, unknown>, b: Record<string, unknown>, path: Path): void => {
    const dotted = path.join('.');
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (path.length === 0 && key === 'keyframes') continue;
      const [before, after] = [a[key], b[key]];
      if (sameData(before, after)) continue;
      const at = [...path, key];
      const inner = dotted ? `${dotted}.${key}` : key;
      if (after === undefined) {
        if (exists(at)) edits.push({ kind: 'delete', path: at });
      } else if (SECTIONS.has(inner) && isObject(after) && isMap(doc.getIn(at, true))) {
        section(isObject(before) ? before : {}, after, at);
      } else if (SECTIONS.has(inner) && isObject(after)) {
        const difference = sectionDifference(before, after, inner);
        if (Object.keys(difference).length > 0) edits.push({ kind: 'set', path: at, value: difference });
      } else {
        edits.push({ kind: 'set', path: at, value: after });
      }
    }
  };
  section(from as unknown as Record<string, unknown>, to as unknown as Record<string, unknown>, []);
  keyframeEdits(doc, from, to, edits);
  return edits;
}

/**
 * Keyframes are matched by time: those only in `from` are deleted, those
 * only in `to` inserted in time order, the rest compared key by key.
 */
function keyframeEdits(doc: Document, from: SceneFile, to: SceneFile, edits: SceneEdit[]): void {
  const times = (scene: SceneFile): number[] => scene.keyframes.map((k) => keyframeSeconds(k, scene.output.fps));
  const [fromTimes, toTimes] = [times(from), times(to)];
  const near = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;
  if (to.keyframes.length === 0 && from.keyframes.length === 0) return;
  if (!isSeq(doc.getIn(['keyframes'], true))) {
    // No keyframes in the file yet (or not as a list): write them whole.
    if (to.keyframes.length > 0) edits.push({ kind: 'set', path: ['keyframes'], value: to.keyframes.map(tidyKeyframe) });
    return;
  }
  const kept = fromTimes.map((t) => toTimes.some((u) => near(t, u)));
  for (let i = from.keyframes.length - 1; i >= 0; i--) if (!kept[i]) edits.push({ kind: 'delete', path: ['keyframes', i] });
  const docTimes = fromTimes.filter((_, i) => kept[i]);
  to.keyframes.forEach((k, j) => {
    const time = toTimes[j];
    const index = docTimes.findIndex((t) => near(t, time));
    if (index < 0) {
      const at = docTimes.filter((t) => t < time).length;
      edits.push({ kind: 'insert', path: ['keyframes'], index: at, value: tidyKeyframe(k) });
      docTimes.splice(at, 0, time);
      return;
    }
    const before = from.keyframes[fromTimes.findIndex((t) => near(t, time))] as Record<string, unknown>;
    const after = k as Record<string, unknown>;
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (sameData(before[key], after[key])) continue;
      edits.push(after[key] === undefined ? { kind: 'delete', path: ['keyframes', index, key] } : { kind: 'set', path: ['keyframes', index, key], value: after[key] });
    }
  });
}

/** A keyframe as written: its time first, no undefined keys. */
function tidyKeyframe(k: SceneFile['keyframes'][number]): Record<string, unknown> {
  const { at, frame, ...rest } = k;
  const out: Record<string, unknown> = at !== undefined ? { at } : { frame };
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) out[key] = value;
  return out;
}

// ---- rendering values as YAML text ---------------------------------------------------------

const PLAIN = /^[A-Za-z_./][A-Za-z0-9_./-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|~|\.nan|\.inf|-\.inf)$/i;

/** A value as flow YAML: maps padded `{ a: 1 }`, lists tight `[1, 2]`, as the example scenes write them. */
export function flowYaml(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(flowYaml).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${flowYaml(k)}: ${flowYaml(v)}`).join(', ')} }`;
}

// ---- splicing edits into the text ----------------------------------------------------------

class CannotSplice extends Error {}

function nodeRange(node: unknown): [number, number, number] {
  const range = (node as { range?: [number, number, number] | null })?.range;
  if (!range) throw new CannotSplice('a node without a place in the text');
  return range;
}

const lineStart = (text: string, at: number): number => text.lastIndexOf('\n', at - 1) + 1;

/** The position just after the line holding `at - 1` (the end of a value, its comment included). */
function afterLine(text: string, at: number): number {
  if (at > 0 && text[at - 1] === '\n') return at;
  const next = text.indexOf('\n', at);
  return next < 0 ? text.length : next + 1;
}

function onlySpacesBefore(text: string, at: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, at), at));
}

function findPair(map: YAMLMap, key: string | number): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key) as Pair | undefined;
}

function collectionAt(doc: Document, path: Path): Node {
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isCollection(node)) throw new CannotSplice(`no collection at ${path.join('.')}`);
  return node as Node;
}

/** A block list of flow items, for keyframes added to a file that had none. */
function blockValue(value: unknown, indent: string): string {
  if (Array.isArray(value) && value.length > 0 && value.every(isObject)) return `\n${value.map((v) => `${indent}  - ${flowYaml(v)}`).join('\n')}`;
  return ` ${flowYaml(value)}`;
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function setInText(text: string, doc: Document, path: Path, value: unknown): string {
  const key = path[path.length - 1];
  const parent = collectionAt(doc, path.slice(0, -1));
  if (isSeq(parent)) {
    const item = parent.items[key as number];
    if (isCollection(item) && !item.flow) throw new CannotSplice('a block item');
    const [start, end] = nodeRange(item);
    return splice(text, start, end, flowYaml(value));
  }
  const map = parent as YAMLMap;
  const pair = findPair(map, key);
  if (pair) {
    const [, keyEnd] = nodeRange(pair.key);
    const node = pair.value as Node | null;
    if (node && isCollection(node) && !node.flow) {
      // A block collection becomes a flow one on the key's line.
      return splice(text, keyEnd, nodeRange(node)[1], `: ${flowYaml(value)}\n`);
    }
    if (!node || !node.range || isScalar(node) && node.value === null && nodeRange(node)[0] === nodeRange(node)[1]) {
      return splice(text, keyEnd, node?.range ? node.range[1] : keyEnd, `: ${flowYaml(value)}`);
    }
    const [start, end] = nodeRange(node);
    return splice(text, start, end, flowYaml(value));
  }
  const entry = `${flowYaml(key)}:`;
  if (map.flow) {
    const last = map.items[map.items.length - 1] as Pair | undefined;
    if (!last) {
      const [start, end] = nodeRange(map);
      return splice(text, start, end, `{ ${entry} ${flowYaml(value)} }`);
    }
    const end = nodeRange(last.value ?? last.key)[1];
    return splice(text, end, end, `, ${entry} ${flowYaml(value)}`);
  }
  const first = map.items[0] as Pair | undefined;
  const last = map.items[map.items.length - 1] as Pair | undefined;
  if (!first || !last) throw new CannotSplice('an empty block mapping');
  const firstKey = nodeRange(first.key)[0];
  if (!onlySpacesBefore(text, firstKey)) throw new CannotSplice('a mapping that starts mid-line');
  const indent = text.slice(lineStart(text, firstKey), firstKey);
  let at = afterLine(text, nodeRange(last.value ?? last.key)[1]);
  let prefix = '';
  if (at === text.length && !text.endsWith('\n')) prefix = '\n';
  if (at > text.length) at = text.length;
  return splice(text, at, at, `${prefix}${indent}${entry}${blockValue(value, indent)}\n`);
}

function deleteInText(text: string, doc: Document, path: Path): string {
  const key = path[path.length - 1];
  const parent = collectionAt(doc, path.slice(0, -1)) as YAMLMap | YAMLSeq;
  const items = parent.items as Array<Pair | Node>;
  const index = isSeq(parent) ? (key as number) : items.findIndex((p) => p === findPair(parent as YAMLMap, key));
  const item = items[index];
  if (item === undefined) return text;
  const startOf = (i: number): number => nodeRange(isSeq(parent) ? items[i] : (items[i] as Pair).key)[0];
  const endOf = (i: number): number => {
    const it = items[i];
    return nodeRange(isSeq(parent) ? it : ((it as Pair).value ?? (it as Pair).key))[1];
  };
  if (parent.flow) {
    if (index + 1 < items.length) return splice(text, startOf(index), startOf(index + 1), '');
    if (index > 0) return splice(text, endOf(index - 1), endOf(index), '');
    const [start, end] = nodeRange(parent);
    return splice(text, start, end, isSeq(parent) ? '[]' : '{}');
  }
  if (items.length === 1) throw new CannotSplice('the last entry of a block collection');
  // A block entry: its whole lines (for a list item, from its dash).
  let start = startOf(index);
  if (isSeq(parent)) {
    const dash = text.lastIndexOf('-', start);
    if (dash < 0 || !/^[ \t]*$/.test(text.slice(dash + 1, start))) throw new CannotSplice('a list item without its dash');
    start = dash;
  }
  if (!onlySpacesBefore(text, start)) throw new CannotSplice('an entry that starts mid-line');
  return splice(text, lineStart(text, start), afterLine(text, endOf(index)), '');
}

function insertInText(text: string, doc: Document, path: Path, index: number, value: unknown): string {
  const seq = collectionAt(doc, path);
  if (!isSeq(seq)) throw new CannotSplice('not a list');
  const items = seq.items as Node[];
  if (seq.flow) {
    if (items.length === 0) {
      const [start, end] = nodeRange(seq);
      return splice(text, start, end, `[${flowYaml(value)}]`);
    }
    if (index < items.length) {
      const at = nodeRange(items[index])[0];
      return splice(text, at, at, `${flowYaml(value)}, `);
    }
    const at = nodeRange(items[items.length - 1])[1];
    return splice(text, at, at, `, ${flowYaml(value)}`);
  }
  const first = nodeRange(items[0])[0];
  const dash = text.lastIndexOf('-', first);
  if (dash < 0 || !onlySpacesBefore(text, dash)) throw new CannotSplice('a list whose items do not start their lines');
  const indent = text.slice(lineStart(text, dash), dash);
  const line = `${indent}- ${flowYaml(value)}\n`;
  if (index < items.length) {
    const itemDash = text.lastIndexOf('-', nodeRange(items[index])[0]);
    let at = lineStart(text, itemDash);
    // Comment lines right above an item speak of it: the new item goes above them.
    while (at > 0) {
      const previous = lineStart(text, at - 1);
      if (!/^[ \t]*#/.test(text.slice(previous, at))) break;
      at = previous;
    }
    return splice(text, at, at, line);
  }
  const at = afterLine(text, nodeRange(items[items.length - 1])[1]);
  return splice(text, at, at, `${at === text.length && !text.endsWith('\n') ? '\n' : ''}${line}`);
}

/** Applies the edits by splicing text; throws CannotSplice where the file's shape is beyond it. */
function spliceEdits(text: string, edits: readonly SceneEdit[]): string {
  let out = text;
  for (const edit of edits) {
    // Parsed afresh for each edit: every splice moves the places of what follows it.
    const doc = parseDocument(out);
    if (doc.errors.length > 0) throw new CannotSplice('the text stopped parsing');
    if (edit.kind === 'set') out = setInText(out, doc, edit.path, edit.value);
    else if (edit.kind === 'delete') out = deleteInText(out, doc, edit.path);
    else out = insertInText(out, doc, edit.path, edit.index, edit.value);
  }
  return out;
}

/** Applies the edits through the Document API (comments and order kept; spacing may be normalised). */
function documentEdits(text: string, edits: readonly SceneEdit[]): string {
  const doc = parseDocument(text);
  for (const edit of edits) {
    if (edit.kind === 'set') doc.setIn(edit.path, doc.createNode(edit.value, { flow: true }));
    else if (edit.kind === 'delete') doc.deleteIn(edit.path);
    else (doc.getIn(edit.path, true) as YAMLSeq).items.splice(edit.index, 0, doc.createNode(edit.value, { flow: true }));
  }
  return doc.toString();
}

/** The scene a text validates to, or undefined when it does not. */
function sceneOf(text: string, file: string): SceneFile | undefined {
  try {
    return validateSceneData(parseSceneText(text, file).data);
  } catch {
    return undefined;
  }
}

/**
 * `text` (a scene file's contents) changed so that it validates to `to`,
 * untouched parts kept byte for byte where possible. Throws a SceneError when
 * the text on disk does not validate (there is nothing sound to edit), and a
 * UserError when no edit of the file yields `to`.
 */
export function rewriteSceneText(text: string, to: SceneFile, file: string): string {
  const { data, source } = parseSceneText(text, file);
  const from = validateSceneData(data, source);
  const wanted = validateSceneData(to);
  const edits = planEdits(source.doc, from, wanted);
  if (edits.length === 0) return text;
  const attempts: Array<() => string> = [() => spliceEdits(text, edits), () => documentEdits(text, edits)];
  for (const attempt of attempts) {
    let out: string;
    try {
      out = attempt();
    } catch {
      // CannotSplice, or the Document API refusing an edit (a path through an alias): try the next way.
      continue;
    }
    const result = sceneOf(out, file);
    if (result && sameData(result, wanted)) return out;
  }
  throw new UserError(`${file}: the change cannot be written into this file's YAML (it uses anchors, aliases or merges where the change goes)`, 'edit the file by hand, or write the scene to a new file');
}
