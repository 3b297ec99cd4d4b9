import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gifCoderModuleText } from '../scripts/gif-coder-source.js';

describe("the GIF coder's WebAssembly", () => {
  it('is what its AssemblyScript compiles to (after changing it, run npm run build:gif-coder)', async () => {
    expect(readFileSync('src/encode/gif/coder-wasm.ts', 'utf8')).toBe(await gifCoderModuleText());
  });
});
