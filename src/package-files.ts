/**
 * Where this package's own files lie, for the few that are found by path
 * rather than imported: the worker threads' modules, the preview page's
 * built files and package.json.
 *
 * The compiled modules sit in dist/ (src/ under a TypeScript runner: tests,
 * benchmarks). The command line is also one bundle of them, in dist/cli/
 * (scripts/build-cli.ts), so that a command loads a few files rather than
 * hundreds; the bundler defines CPPN_MOTION_CLI_BUNDLE there, and from the
 * bundle the modules' root is one folder up.
 */
declare const CPPN_MOTION_CLI_BUNDLE: true | undefined;

const IN_CLI_BUNDLE = typeof CPPN_MOTION_CLI_BUNDLE !== 'undefined';

/** Whether the code runs from its TypeScript sources (a thread must then load them through tsx too). */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** dist/ or src/. */
const CODE_ROOT = new URL(IN_CLI_BUNDLE ? '../' : './', import.meta.url);

/** A module of the package by its path under src/, without extension ('render/worker'), where it is on this install. */
export function moduleFile(path: string): URL {
  return new URL(`${path}${FROM_SOURCE ? '.ts' : '.js'}`, CODE_ROOT);
}

/** A folder of files the build puts beside the modules ('preview/static/'). */
export function builtFolder(path: string): URL {
  return new URL(path, CODE_ROOT);
}

export const PACKAGE_JSON = new URL('../package.json', CODE_ROOT);
