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

export function formatKeyPath(path: ReadonlyArray<string | number>): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part), '');
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

/** Work stopped on purpose (Ctrl-C, SIGTERM). */
export class InterruptedError extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}
