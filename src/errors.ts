/**
 * The keys of the options a user sets (`out`, `gifMaxBytes`, `seeds`…), one
 * per entry of the option table (src/scene/options/table.ts), which fills
 * this interface in. Messages name an option by its key; each front end says
 * the key in its own words: the command line as its flag (`--out`), the
 * library as the key itself.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the option table (declaration merging)
export interface OptionKeys {}
export type OptionKey = keyof OptionKeys;

/** An option named in a message. */
export interface OptionRef {
  option: OptionKey;
}

/**
 * A message that names options: text and option references, in order. Plain
 * data, so it crosses threads, processes and JSON (a cluster's notes) as it is.
 */
export type Words = ReadonlyArray<string | OptionRef>;

/** A message: plain text, or words that name options. */
export type Text = string | Words;

/** How a front end names an option: the command line gives its flag. */
export type OptionNamer = (key: OptionKey) => string;

/** The library's name of an option: its key, as code. */
export const libraryName: OptionNamer = (key) => `\`${key}\``;

/** `key`, to be named in a message in the words of whoever shows it. */
export function option(key: OptionKey): OptionRef {
  return { option: key };
}

function isOptionRef(value: unknown): value is OptionRef {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as OptionRef).option === 'string';
}

/** Whether `value` is a message (text, or words): for data that crossed a process. */
export function isText(value: unknown): value is Text {
  return typeof value === 'string' || (Array.isArray(value) && value.every((part) => typeof part === 'string' || isOptionRef(part)));
}

/**
 * A message naming options: words`${option('out')} ${path}: …`. Options stay
 * references, other words (messages included) join the text.
 */
export function words(strings: TemplateStringsArray, ...values: ReadonlyArray<Text | OptionRef | number | bigint | boolean | undefined | null>): Words {
  const parts: Array<string | OptionRef> = [];
  const add = (part: string | OptionRef): void => {
    if (typeof part === 'string' && typeof parts[parts.length - 1] === 'string') parts[parts.length - 1] += part;
    else if (part !== '') parts.push(part);
  };
  strings.forEach((text, i) => {
    add(text);
    if (i >= values.length) return;
    const value = values[i];
    if (isOptionRef(value)) add(value);
    else if (Array.isArray(value)) (value as Words).forEach(add);
    else add(String(value));
  });
  return parts;
}

/** The message in words: each option as `name` says it (the library's names by default). */
export function say(text: Text, name: OptionNamer = libraryName): string {
  return typeof text === 'string' ? text : text.map((part) => (typeof part === 'string' ? part : name(part.option))).join('');
}

/**
 * Errors that are the user's to fix (a bad scene, a bad flag, a missing file)
 * rather than bugs. The CLI prints their message alone, no stack trace, and
 * exits with code 2. The message and hint keep the options they name
 * (`said`, `hintSaid`): `message` and `hint` name them as the library does,
 * the command line as its flags.
 */
export class UserError extends Error {
  readonly hint?: string;
  readonly said: Text;
  readonly hintSaid?: Text;

  constructor(message: Text, hint?: Text) {
    super(say(message));
    this.name = 'UserError';
    this.said = message;
    this.hintSaid = hint;
    this.hint = hint === undefined ? undefined : say(hint);
  }
}

/** Where in a scene file a problem is. */
export interface SceneProblem {
  file?: string;
  line?: number;
  column?: number;
  /** Key path, e.g. ['network', 'activation', 2]. */
  path: ReadonlyArray<string | number>;
  message: string;
  /** The option whose value caused the problem (an override of the scene's key), if one did. */
  option?: OptionKey;
}

/** How much of a value or key a message repeats: enough to recognise it, never a whole file's worth. */
const QUOTE_LIMIT = 60;

/** `text`, cut to QUOTE_LIMIT characters with an ellipsis. */
export function shortened(text: string): string {
  return text.length <= QUOTE_LIMIT ? text : `${text.slice(0, QUOTE_LIMIT)}… (${text.length} characters)`;
}

export function formatKeyPath(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${shortened(part)}` : shortened(part)), '');
}

/** The problem in words: where (the option that caused it, the file, the line), the key path, what is wrong. */
export function problemWords(problem: SceneProblem): Words {
  const where = [problem.file, problem.line, problem.column].filter((v) => v !== undefined).join(':');
  const text = [where, formatKeyPath(problem.path), problem.message].filter(Boolean).join(': ');
  return problem.option === undefined ? [text] : words`${option(problem.option)} with ${text}`;
}

export function formatProblem(problem: SceneProblem): string {
  return say(problemWords(problem));
}

/** One or more problems in a scene file, each with its location. */
export class SceneError extends UserError {
  constructor(readonly problems: SceneProblem[]) {
    super(problems.flatMap((problem, i) => [...(i > 0 ? ['\n'] : []), ...problemWords(problem)]));
    this.name = 'SceneError';
  }
}

/**
 * The work failed for a reason outside the user's input (a full disk, an
 * output that came out incomplete): exit code 1, the cause in one message,
 * no stack trace.
 */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/**
 * The GPU failed the render (its device lost twice, a shader it could not
 * compile, memory it did not have): exit code 1, the cause in one message.
 */
export class GpuError extends Error {
  readonly said: Text;
  /** What to try instead (the CPU), when there is something to say. */
  readonly hintSaid?: Text;

  constructor(message: Text, hint?: Text) {
    super(say(message));
    this.name = 'GpuError';
    this.said = message;
    this.hintSaid = hint;
  }
}

/** Turns a file-system error on `path` into the error a person can act on, or undefined when it is not one we know. */
export function fileSystemError(path: string, error: unknown): Error | undefined {
  const code = (error as { code?: string } | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new OutputError(`cannot write ${path}: the disk is full`);
    case 'EIO':
      return new OutputError(`cannot write ${path}: input/output error on the device`);
    case 'EFBIG':
      return new OutputError(`cannot write ${path}: the file is larger than the file system allows`);
    case 'EROFS':
      return new UserError(`cannot write ${path}: the file system is read-only`, words`choose another ${option('out')}`);
    case 'EACCES':
    case 'EPERM':
      return new UserError(`cannot write ${path}: permission denied`, words`choose another ${option('out')}`);
    case 'EEXIST':
    case 'ENOTDIR':
      return new UserError(`cannot write ${path}: a file stands where a folder is needed`);
    case 'EISDIR':
      return new UserError(`cannot write ${path}: it is a folder`);
    case 'ENAMETOOLONG':
      return new UserError(`cannot write ${path}: the name is too long for the file system`, 'use a name of at most 200 characters');
    case 'ENOENT':
      return new UserError(`cannot write ${path}: its folder does not exist and cannot be made (a read-only location?)`);
    default:
      return undefined;
  }
}

/** Work stopped on purpose (Ctrl-C, SIGTERM). */
export class InterruptedError extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}
