/**
 * Compiles the GIF coder's AssemblyScript (src/encode/gif/assembly/coder.ts)
 * to WebAssembly and writes it, base64, to src/encode/gif/coder-wasm.ts (run
 * `npm run build:gif-coder` after changing the AssemblyScript). The module is
 * committed, so neither a build nor an install needs the compiler; a test
 * checks that it is what the source compiles to.
 */
import { writeFileSync } from 'node:fs';
import { gifCoderModuleText } from './gif-coder-source.js';

writeFileSync(new URL('../src/encode/gif/coder-wasm.ts', import.meta.url), await gifCoderModuleText());
console.log('wrote src/encode/gif/coder-wasm.ts');
