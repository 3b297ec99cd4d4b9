import { FROM_SOURCE, moduleFile } from './package-files.js';

/**
 * Where a worker thread's module is: the compiled .js in a build, the .ts
 * source under a TypeScript runner (tests, benchmarks), which the thread
 * must then load through tsx too. `path` is the module's path under src/,
 * without an extension ('render/worker').
 */
export function threadModule(path: string): { filename: string; execArgv: string[] } {
  // Node 20's require() of an ES module can abort the process (a V8 fatal
  // error, IsGraphAsync) when many threads start at once or a render stops
  // while they start; thread pools try require() first, so turn it off.
  const noRequireEsm = process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module') ? ['--no-experimental-require-module'] : [];
  return { filename: moduleFile(path).href, execArgv: FROM_SOURCE ? ['--import', 'tsx', ...noRequireEsm] : noRequireEsm };
}
