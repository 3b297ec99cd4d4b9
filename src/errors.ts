/**
 * Errors that are the user's to fix (a bad scene, a bad flag, a missing file)
 * rather than bugs. The CLI prints their message alone, no stack trace, and
 * exits with code 2.
 */
export class UserError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UserError';
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

export function formatProblem(problem: SceneProblem): string {
  const where = [problem.file, problem.line, problem.column].filter((v) => v !== undefined).join(':');
  const path = formatKeyPath(problem.path);
  return [where, path, problem.message].filter(Boolean).join(': ');
}

/** One or more problems in a scene file, each with its location. */
export class SceneError extends UserError {
  constructor(readonly problems: SceneProblem[]) {
    super(problems.map(formatProblem).join('\n'));
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
  constructor(message: string) {
    super(message);
    this.name = 'GpuError';
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
      return new UserError(`cannot write ${path}: the file system is read-only`, 'choose another --out');
    case 'EACCES':
    case 'EPERM':
      return new UserError(`cannot write ${path}: permission denied`, 'choose another --out');
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
