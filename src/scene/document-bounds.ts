/**
 * What a scene's data may be before it is turned into JavaScript values and
 * validated: nested at most INPUT_LIMITS.depth deep, at most
 * INPUT_LIMITS.values values and INPUT_LIMITS.text characters with every
 * alias and merge expanded, and made of the plain YAML a scene needs.
 *
 * The YAML walk runs on the parsed document, before `toJS`: an alias costs
 * nothing to write but becomes a whole copy when merged or stored, so a few
 * hundred kilobytes of anchors could otherwise take minutes and gigabytes
 * (or, pointing into itself, recurse without end) before any check ran.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { SceneError, shortened, type SceneProblem } from '../errors.js';
import { INPUT_LIMITS } from './input-limits.js';

/** Tags a scene may carry: YAML's own for text, numbers, true/false, null, lists and mappings. */
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'seq', 'map'].map((name) => `tag:yaml.org,2002:${name}`));

/** `!!binary` for YAML's own tags, the tag as written for others. */
function tagName(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

interface Tally {
  values: number;
  text: number;
  /** Whether an alias or a merge added to it (for the message). */
  aliased: boolean;
}

const EXPANDED = {
  values: `aliases expand too far: with every alias and merge expanded, the scene holds more than ${INPUT_LIMITS.values} values; use each anchor a few times at most`,
  text: `aliases expand too far: with every alias and merge expanded, the scene holds more than ${INPUT_LIMITS.text / 1024 / 1024} MB of text; use each anchor a few times at most`,
};
const TOO_MANY = `the scene has more than ${INPUT_LIMITS.values} values; a scene this large is surely a mistake`;
const TOO_DEEP = `lists and mappings nest more than ${INPUT_LIMITS.depth} levels deep here; a scene needs a few levels`;

/** Stops the walk at the first problem that makes the rest meaningless (too deep, too large, a value inside itself). */
class Stop {
  constructor(readonly problem: SceneProblem) {}
}

/** Checks a parsed YAML document; throws a SceneError with every problem found, each located. */
export function checkDocument(doc: Document, lines: LineCounter, file: string): void {
  const at = (node: unknown, message: string): SceneProblem => {
    const offset = (node as Node | null | undefined)?.range?.[0];
    const pos = offset === undefined ? undefined : lines.linePos(offset);
    return { file, line: pos?.line ?? 1, column: pos?.col ?? 1, path: [], message };
  };
  const problems: SceneProblem[] = [];
  const anchors = new Map<string, Node>();
  const measured = new Map<Node, Tally>();
  const ancestors: Node[] = [];

  const add = (sum: Tally, part: Tally, blame: unknown): void => {
    sum.values += part.values;
    sum.text += part.text;
    sum.aliased ||= part.aliased;
    if (sum.values > INPUT_LIMITS.values) throw new Stop(at(blame, sum.aliased ? EXPANDED.values : TOO_MANY));
    if (sum.text > INPUT_LIMITS.text) throw new Stop(at(blame, EXPANDED.text));
  };

  const mergeSourceProblem = (value: unknown): string | undefined => {
    const target = (v: unknown): unknown => (isAlias(v) ? anchors.get(v.source) : v);
    const source = target(value);
    const items = isSeq(source) ? source.items.map(target) : [source];
    const wrong = items.find((item) => !isMap(item));
    if (wrong === undefined) return undefined;
    const what = isSeq(wrong) ? 'a list' : isScalar(wrong) ? shortened(String(wrong.value)) : 'an empty value';
    return `<<: merges the keys of mappings into this one (<<: *base, or <<: [*a, *b]); ${isSeq(source) && source !== wrong ? `the list holds ${what}, which is` : `${what} is`} not a mapping`;
  };

  const measure = (node: unknown, depth: number): Tally => {
    if (node === null || node === undefined) return { values: 1, text: 0, aliased: false };
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) throw new Stop(at(node, `*${node.source} refers to no anchor; define &${node.source} before it is used`));
      if (ancestors.includes(target)) throw new Stop(at(node, `*${node.source} is inside the value &${node.source} names, so that value would contain itself without end; an alias may only refer to a value defined apart from it`));
      return { ...measured.get(target)!, aliased: true };
    }
    const yamlNode = node as Node;
    if (yamlNode.anchor) anchors.set(yamlNode.anchor, yamlNode);
    if (yamlNode.tag && !PLAIN_TAGS.has(yamlNode.tag)) {
      problems.push(at(node, `the tag ${tagName(yamlNode.tag)} has no meaning in a scene (a scene holds text, numbers, true/false, lists and mappings); remove it`));
    }
    let tally: Tally;
    if (isScalar(node)) {
      tally = { values: 1, text: typeof node.value === 'string' ? node.value.length : 0, aliased: false };
    } else if (isMap(node) || isSeq(node)) {
      if (depth >= INPUT_LIMITS.depth) throw new Stop(at(node, TOO_DEEP));
      tally = { values: 1, text: 0, aliased: false };
      ancestors.push(yamlNode);
      // Duplicate keys are found here with a set: yaml's own check compares every key with every other one.
      const keys = new Map<string, unknown>();
      for (const item of node.items) {
        if (isPair(item)) {
          const { key, value } = item;
          const keyTarget = isAlias(key) ? anchors.get(key.source) : key;
          if (isMap(keyTarget) || isSeq(keyTarget)) problems.push(at(key, 'a key must be plain text, not a list or a mapping'));
          if (isScalar(keyTarget) && typeof keyTarget.value !== 'symbol') {
            const name = `${typeof keyTarget.value}:${String(keyTarget.value)}`;
            const first = keys.get(name);
            if (first === undefined) keys.set(name, key);
            else problems.push(at(key, `"${shortened(String(keyTarget.value))}" appears twice in this mapping (first at line ${at(first, '').line}); keep one`));
          }
          add(tally, measure(key, depth + 1), key);
          if (isScalar(key) && typeof key.value === 'symbol') {
            const wrong = mergeSourceProblem(value);
            if (wrong) problems.push(at(value ?? key, wrong));
          }
          add(tally, measure(value, depth + 1), value ?? key);
        } else {
          add(tally, measure(item, depth + 1), item);
        }
      }
      ancestors.pop();
    } else {
      tally = { values: 1, text: 0, aliased: false };
    }
    if (yamlNode.anchor) measured.set(yamlNode, tally);
    return tally;
  };

  try {
    measure(doc.contents, 0);
  } catch (error) {
    if (error instanceof Stop) throw new SceneError([error.problem]);
    throw error;
  }
  // A tag yaml knows but whose value does not fit it (`!!int x`) is only a warning there.
  for (const warning of doc.warnings) {
    if (warning.code !== 'TAG_RESOLVE_FAILED') continue;
    const pos = warning.linePos?.[0];
    const tag = /Unresolved tag: (\S+)/.exec(warning.message)?.[1] ?? '';
    if (PLAIN_TAGS.has(tag)) problems.push({ file, line: pos?.line, column: pos?.col, path: [], message: `the tag ${tagName(tag)} does not fit this value; remove the tag` });
  }
  if (problems.length > 0) throw new SceneError(problems);
}

/**
 * The same bounds for data that did not come from YAML (a scene stored as
 * JSON in an output): depth, values and text. Returns the problem, if any.
 * Iterative, so data nested a million deep is measured, not recursed into.
 */
export function dataBoundsProblem(data: unknown): string | undefined {
  // Values are counted as they are found, before they are stacked: a list of millions is refused without stacking it.
  let values = 1;
  let text = 0;
  const stack: Array<[unknown, number]> = [[data, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === 'string') text += value.length;
    else if (typeof value === 'object' && value !== null) {
      if (depth >= INPUT_LIMITS.depth) return `lists and mappings nest more than ${INPUT_LIMITS.depth} levels deep; a scene needs a few levels`;
      const items = Array.isArray(value) ? value : Object.keys(value);
      values += items.length;
      if (values > INPUT_LIMITS.values) return TOO_MANY;
      if (Array.isArray(value)) for (const item of value) stack.push([item, depth + 1]);
      else
        for (const [key, item] of Object.entries(value)) {
          text += key.length;
          stack.push([item, depth + 1]);
        }
    }
    if (text > INPUT_LIMITS.text) return `the scene holds more than ${INPUT_LIMITS.text / 1024 / 1024} MB of text`;
  }
  return undefined;
}
