// Lint: typescript-eslint's recommended rules, plus the project's layering:
// cli → preview/inspect/batch/explore/cluster/fit → render → encode → scene → core, with
// files (Node's file handling) beside core under scene's Node edge; and core, the pure
// scene modules and the browser code free of Node-only APIs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// src/explore, not src/scene/explore: reached as ../explore from a folder of src, ../../explore from one below.
const EXPLORE = ['../explore/**', '../../explore/**'];

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
  },
});

export default tseslint.config(
  // AssemblyScript (compiled to WebAssembly by scripts/build-gif-coder.ts) is not TypeScript to the linter.
  { ignores: ['dist/', 'node_modules/', 'output/', 'coverage/', 'src/**/assembly/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  layer(['src/core/**/*.ts'], ['node:*', '**/files/**', '**/scene/**', '**/render/**', '**/encode/**', '**/inspect/**', '**/batch/**', ...EXPLORE, '**/cluster/**', '**/fit/**', '**/preview/**', '**/browser/**', '**/cli/**', '../errors.js'], 'src/core is pure TypeScript: no Node APIs, no imports from the layers above it'),
  // src/explore is ../explore from src/scene's own files, ../../explore from its subfolders (where ../explore is src/scene/explore).
  ...[
    [['src/scene/*.ts'], ['../explore/**']],
    [['src/scene/*/**/*.ts'], ['../../explore/**', '../../../explore/**']],
  ].flatMap(([files, explore]) => [
    layer(files, ['**/render/**', '**/encode/**', '**/inspect/**', '**/batch/**', ...explore, '**/cluster/**', '**/fit/**', '**/cli/**', '**/preview/**', '**/browser/**'], 'src/scene may use only src/core (dependencies point down)'),
    // Pure code runs in the browser preview too: only the named Node edges may use Node's APIs.
    {
      ...layer(files, ['node:*', '**/files/**', '**/render/**', '**/encode/**', '**/inspect/**', '**/batch/**', ...explore, '**/cluster/**', '**/fit/**', '**/cli/**', '**/preview/**', '**/browser/**', './load-file.js', './index.js', '../load-file.js', '../index.js'], 'src/scene is pure (it runs in the browser): Node APIs belong in src/scene/load-file.ts'),
      ignores: ['src/scene/load-file.ts', 'src/scene/index.ts', 'src/scene/**/*.test.ts'],
    },
  ]),
  // Files: reading, writing whole, the input guard, this machine's name. Below everything that
  // touches the disk, scene's Node edge included; knows nothing of scenes, frames or formats.
  layer(['src/files/**/*.ts'], ['**/core/**', '**/scene/**', '**/render/**', '**/encode/**', '**/inspect/**', '**/batch/**', '**/explore/**', '**/cluster/**', '**/fit/**', '**/cli/**', '**/preview/**', '**/browser/**'], 'src/files sits below scene: it may use only src/errors.ts and Node'),
  layer(['src/preview/*.ts'], ['**/batch/**', '**/cli/**'], 'src/preview (the server) is library code below the CLI'),
  layer(['src/browser/**/*.ts', 'src/preview/page/**/*.ts'], ['node:*', '**/files/**', '**/render/**', '**/encode/**', '**/inspect/**', '**/batch/**', '**/cli/**', '**/scene/index.js', '**/scene/load-file.js', '../index.js', '**/preview/*.js'], 'browser code: only core and the pure scene modules (through src/browser), nothing from Node'),
  layer(['src/render/**/*.ts'], ['**/inspect/**', '**/batch/**', ...EXPLORE, '**/cluster/**', '**/fit/**', '**/preview/**', '**/cli/**'], 'src/render sits below inspect, batch, explore, the cluster, fit, the preview and the CLI'),
  layer(['src/encode/**/*.ts'], ['**/render/**', '**/inspect/**', '**/batch/**', ...EXPLORE, '**/cluster/**', '**/fit/**', '**/preview/**', '**/cli/**'], 'src/encode sits below render: it codes the frames it is handed and knows nothing of who renders them'),
  layer(['src/cluster/**/*.ts'], ['**/inspect/**', '**/batch/**', '**/cli/**'], 'src/cluster is a frame backend: it may use core, scene, render and encode; batch and the CLI choose it'),
  layer(['src/batch/**/*.ts'], ['**/inspect/**', '**/cluster/**', '**/cli/**'], 'src/batch is library code: it may use core, scene, render and encode, not inspect or the CLI; it takes any frame backend, the cluster included'),
  layer(['src/inspect/**/*.ts'], ['**/cli/**'], 'src/inspect is library code: it may use core, scene, render and encode, not the CLI'),
  layer(['src/explore/**/*.ts'], ['**/inspect/**', '**/cluster/**', '**/cli/**', '**/preview/**'], 'src/explore is library code: it may use core, scene, render, encode and the contact sheet, not inspect, the preview or the CLI'),
  layer(['src/fit/**/*.ts'], ['**/inspect/**', '**/batch/**', '**/cli/**'], 'src/fit is library code: it may use core, scene, render and encode, not inspect, batch or the CLI'),
  {
    files: ['src/core/**/*.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
