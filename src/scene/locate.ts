/** Finds where a key path sits in a YAML document, as line and column. */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

/**
 * The position of the deepest node along `path` that exists in the document:
 * the key itself for the last step of a mapping (so "unknown key" points at
 * the key), else the value.
 */
export function locate(doc: Document, lines: LineCounter, path: ReadonlyArray<string | number>): Position | undefined {
  let node: unknown = doc.contents;
  let found: { range?: [number, number, number] | null } | undefined = (node as Node | null) ?? undefined;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      found = (pair.key as Node) ?? found;
      node = pair.value;
      // Point at the value for intermediate steps only when it is a collection the path continues into.
      continue;
    }
    if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part];
      if (item === undefined) break;
      node = item;
      found = item as Node;
      continue;
    }
    break;
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return undefined;
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}
