/**
 * Where a worker thread's module is: the compiled .js in a build, the .ts
 * source under a TypeScript runner (tests, benchmarks), which the thread
 * must then load through tsx too. `path` is relative to the caller's
 * module, without an extension ('./worker').
 */
export function threadModule(importMetaUrl: string, path: string): { filename: string; execArgv: string[] } {
  // Node 20's require() of an ES module can abort the process (a V8 fatal
  // error, IsGraphAsync) when many threads start at once or a render stops
  // while they start; thread pools try require() first, so turn it off.
  const noRequireEsm = process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module') ? ['--no-experimental-require-module'] : [];
  if (importMetaUrl.endsWith('.ts')) return { filename: new URL(`${path}.ts`, importMetaUrl).href, execArgv: ['--import', 'tsx', ...noRequireEsm] };
  return { filename: new URL(`${path}.js`, importMetaUrl).href, execArgv: noRequireEsm };
}

