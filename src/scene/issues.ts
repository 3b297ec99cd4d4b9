/**
 * Turns zod's validation issues into problems a person can act on: what is
 * wrong, what is allowed, and a "did you mean" for typos.
 */
import type { z } from 'zod';
import { shortened, type SceneProblem } from '../errors.js';
import { closest } from './suggest.js';

type Issue = z.core.$ZodIssue;
/** Any zod schema, seen through the part of its definition we walk. */
type Walkable = { _zod: { def: unknown } };
type Path = Array<string | number>;

/** zod's internal definition, enough of it to walk the schema. */
interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  innerType?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
  options?: ReadonlyArray<{ _zod: { def: SchemaDef } }>;
  items?: ReadonlyArray<{ _zod: { def: SchemaDef } }>;
  in?: { _zod: { def: SchemaDef } };
}

function unwrap(def: SchemaDef): SchemaDef {
  let d = def;
  while (d.innerType || (d.type === 'pipe' && d.in)) d = (d.innerType ?? d.in)!._zod.def;
  return d;
}

/** The object keys the schema allows at `path` (union branches merged). */
export function allowedKeys(root: Walkable, path: Path): string[] {
  let defs = [unwrap(root._zod.def as SchemaDef)];
  for (const part of path) {
    const next: SchemaDef[] = [];
    for (const def of defs.flatMap((d) => (d.type === 'union' ? d.options!.map((o) => unwrap(o._zod.def)) : [d]))) {
      if (def.type === 'object' && typeof part === 'string' && def.shape?.[part]) next.push(unwrap(def.shape[part]._zod.def));
      if (def.type === 'array' && typeof part === 'number') next.push(unwrap(def.element!._zod.def));
      if (def.type === 'tuple' && typeof part === 'number' && def.items?.[part]) next.push(unwrap(def.items[part]._zod.def));
    }
    defs = next;
  }
  const keys = defs
    .flatMap((d) => (d.type === 'union' ? d.options!.map((o) => unwrap(o._zod.def)) : [d]))
    .flatMap((d) => (d.type === 'object' ? Object.keys(d.shape ?? {}) : []));
  return [...new Set(keys)].filter((k) => k !== '$schema');
}

function describeValue(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null (an empty value)';
  if (Array.isArray(input)) return 'a list';
  // Not every object is a mapping: YAML tags can make binary data, sets and dates (the loader refuses those tags first).
  if (input instanceof Uint8Array) return 'binary data';
  if (input instanceof Date) return 'a date';
  if (input instanceof Set || input instanceof Map) return 'a set';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return `"${shortened(input)}"`;
  if (typeof input === 'number' && Number.isNaN(input)) return '.nan (not a number)';
  if (typeof input === 'number' && !Number.isFinite(input)) return `${input < 0 ? '-' : ''}.inf (infinite)`;
  return `${typeof input} ${String(input)}`;
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  tuple: 'a list',
};

/** Whether a union branch failed because the value has the wrong type altogether. */
function typeMismatch(issues: Issue[]): boolean {
  return issues.some((i) => {
    if (i.path.length !== 0) return false;
    if (i.code === 'invalid_type') return true;
    // An enum given a list or a number reports invalid_value, but it is a type mismatch too.
    if (i.code === 'invalid_value') return i.values.length > 0 && typeof (i as { input?: unknown }).input !== typeof i.values[0];
    if (i.code === 'invalid_union') return i.errors.every(typeMismatch);
    return false;
  });
}

/** Among a union's branches, the one whose type matched (its issues are the relevant ones). */
function pickBranch(branches: Issue[][]): Issue[] | undefined {
  const typeMatched = branches.filter((issues) => !typeMismatch(issues));
  if (typeMatched.length === 0) return undefined;
  return typeMatched.reduce((best, b) => (b.length < best.length ? b : best));
}

/** What a union accepts, for the message when no branch matched the value's type. */
function unionExpectations(branches: Issue[][]): string[] {
  const out: string[] = [];
  for (const issues of branches) {
    for (const issue of issues) {
      if (issue.path.length !== 0) continue;
      if (issue.code === 'invalid_type') out.push(TYPE_WORDS[issue.expected] ?? issue.expected);
      else if (issue.code === 'invalid_value') out.push(`one of ${issue.values.map(String).join(', ')}`);
      else if (issue.code === 'invalid_union') out.push(...unionExpectations(issue.errors));
    }
  }
  return [...new Set(out)];
}

/** The allowed values when every branch of a union is a fixed value (or true/false), else undefined. */
function unionValues(branches: Issue[][]): string[] | undefined {
  const values: string[] = [];
  for (const issues of branches) {
    const [only] = issues;
    if (issues.length !== 1 || only.path.length !== 0) return undefined;
    if (only.code === 'invalid_value') values.push(...only.values.map(String));
    else if (only.code === 'invalid_type' && only.expected === 'boolean') values.push('true', 'false');
    else return undefined;
  }
  return values.length > 0 ? [...new Set(values)] : undefined;
}

function describeIssue(issue: Issue, root: Walkable, basePath: Path): SceneProblem[] {
  const path = [...basePath, ...(issue.path as Path)];
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_union': {
      // A union of fixed values (channels: 1 or 3; loop: true, false or ping-pong): list them all.
      const values = unionValues(issue.errors);
      if (values && typeof input !== 'object') {
        const guess = typeof input === 'string' ? closest(input, values) : undefined;
        return [{ path, message: `${describeValue(input)} is not allowed${guess ? ` (did you mean "${guess}"?)` : ''}; use one of: ${values.join(', ')}` }];
      }
      const branch = pickBranch(issue.errors);
      if (branch) return branch.flatMap((inner) => describeIssue(inner, root, path));
      return [{ path, message: `is ${describeValue(input)}; expected ${unionExpectations(issue.errors).join(', or ')}` }];
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const guess = typeof input === 'string' ? closest(input, allowed) : undefined;
      const hint = guess ? ` (did you mean "${guess}"?)` : '';
      return [{ path, message: `${describeValue(input)} is not allowed${hint}; use one of: ${allowed.join(', ')}` }];
    }
    case 'unrecognized_keys': {
      const allowed = allowedKeys(root, path);
      return issue.keys.map((key) => {
        const guess = closest(key, allowed);
        return {
          path: [...path, key],
          message: `unknown key "${shortened(key)}"${guess ? ` (did you mean "${guess}"?)` : ''}; allowed here: ${allowed.join(', ')}`,
        };
      });
    }
    case 'invalid_type': {
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      if (input === undefined) return [{ path, message: `is missing; expected ${expected}` }];
      return [{ path, message: `is ${describeValue(input)}; expected ${expected}` }];
    }
    case 'too_small': {
      const min = String(issue.minimum);
      const what = issue.origin === 'array' ? `at least ${min} item${min === '1' ? '' : 's'}` : issue.origin === 'string' ? `at least ${min} characters` : `${issue.inclusive ? 'at least' : 'more than'} ${min}`;
      return [{ path, message: `is ${describeValue(input)}; it must be ${what}` }];
    }
    case 'too_big': {
      const max = String(issue.maximum);
      const what = issue.origin === 'array' ? `at most ${max} items` : issue.origin === 'string' ? `at most ${max} characters` : `${issue.inclusive ? 'at most' : 'less than'} ${max}`;
      return [{ path, message: `is ${describeValue(input)}; it must be ${what}` }];
    }
    case 'invalid_format':
    case 'custom':
    default:
      return [{ path, message: issue.message }];
  }
}

export function describeIssues(issues: readonly Issue[], root: Walkable): SceneProblem[] {
  return issues.flatMap((issue) => describeIssue(issue, root, []));
}
