/**
 * The part of the WebAssembly JavaScript API this project uses. TypeScript
 * declares it only in the DOM library, which would also let browser-only
 * names into Node code, so the subset is declared here instead.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  type ExportValue = ((...args: number[]) => number | void) | Memory;
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, ExportValue>;
  }
  function validate(bytes: Uint8Array): boolean;
}
