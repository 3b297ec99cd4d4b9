/**
 * A minimal WebAssembly binary writer: just what the network compiler needs to
 * emit one module with one memory and a few functions using 128-bit SIMD.
 *
 * Hand-written rather than taken from a toolchain because the module is built
 * at run time from the network's shape (layer widths and activations are baked
 * into the code), and because it must work in a browser with no build step.
 */

export const ValType = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** Scalar opcodes used by the compiler. */
export const Op = {
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32And: 0x71,
  drop: 0x1a,
} as const;

/** SIMD opcodes (prefix 0xfd, then the opcode as unsigned LEB128). */
export const SimdOp = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  const: 0x0c,
  f32x4Gt: 0x44,
  v128Xor: 0x51,
  v128Bitselect: 0x52,
  i32x4Shl: 0xab,
  i32x4Add: 0xae,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4PMin: 0xea,
  f32x4PMax: 0xeb,
} as const;

export function unsignedLeb(value: number, out: number[]): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

export function signedLeb(value: number, out: number[]): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

const f32Scratch = new Float32Array(1);
const f32Bytes = new Uint8Array(f32Scratch.buffer);

/** Emits the body of one function; locals are declared as they are needed. */
export class FunctionWriter {
  readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];

  constructor(readonly params: ValType[]) {}

  local(type: ValType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  op(opcode: number): this {
    this.code.push(opcode);
    return this;
  }

  simd(opcode: number): this {
    this.code.push(0xfd);
    unsignedLeb(opcode, this.code);
    return this;
  }

  i32(value: number): this {
    this.code.push(Op.i32Const);
    signedLeb(value, this.code);
    return this;
  }

  get(index: number): this {
    this.code.push(Op.localGet);
    unsignedLeb(index, this.code);
    return this;
  }

  set(index: number): this {
    this.code.push(Op.localSet);
    unsignedLeb(index, this.code);
    return this;
  }

  tee(index: number): this {
    this.code.push(Op.localTee);
    unsignedLeb(index, this.code);
    return this;
  }

  /** A v128 memory access; `offset` is a constant added to the address on the stack. */
  memory(simdOpcode: number, offset: number): this {
    this.simd(simdOpcode);
    // Alignment hint as log2(bytes): 4 bytes for splat loads, 16 for full vectors.
    this.code.push(simdOpcode === SimdOp.load32Splat ? 2 : 4);
    unsignedLeb(offset, this.code);
    return this;
  }

  f32x4Const(value: number): this {
    this.simd(SimdOp.const);
    f32Scratch[0] = value;
    for (let lane = 0; lane < 4; lane++) this.code.push(...f32Bytes);
    return this;
  }

  i32x4Const(value: number): this {
    this.simd(SimdOp.const);
    for (let lane = 0; lane < 4; lane++) {
      const v = value | 0;
      this.code.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    }
    return this;
  }

  /** Branches to the enclosing block `depth` levels out (0 = innermost) if the top of the stack is non-zero. */
  brIf(depth: number): this {
    this.code.push(Op.brIf);
    unsignedLeb(depth, this.code);
    return this;
  }

  /** Opens a loop with no result value. */
  open(kind: typeof Op.loop): this {
    this.code.push(kind, 0x40);
    return this;
  }

  encode(): number[] {
    const body: number[] = [];
    // Run-length encode the local declarations, as the format requires.
    const groups: Array<[number, ValType]> = [];
    for (const type of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === type) last[0]++;
      else groups.push([1, type]);
    }
    unsignedLeb(groups.length, body);
    for (const [count, type] of groups) {
      unsignedLeb(count, body);
      body.push(type);
    }
    body.push(...this.code, Op.end);
    const out: number[] = [];
    unsignedLeb(body.length, out);
    return out.concat(body);
  }
}

export interface ExportedFunction {
  name: string;
  writer: FunctionWriter;
}

/** Assembles a module that owns one memory (exported as "memory") and the given functions. */
export function assembleModule(functions: ExportedFunction[], memoryPages: number): Uint8Array<ArrayBuffer> {
  const bytes: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, content: number[]): void => {
    bytes.push(id);
    unsignedLeb(content.length, bytes);
    bytes.push(...content);
  };
  const vector = (items: number[][]): number[] => {
    const out: number[] = [];
    unsignedLeb(items.length, out);
    for (const item of items) out.push(...item);
    return out;
  };
  const name = (text: string): number[] => {
    const encoded = Array.from(new TextEncoder().encode(text));
    const out: number[] = [];
    unsignedLeb(encoded.length, out);
    return out.concat(encoded);
  };

  // One type per function: (params) -> ().
  section(
    1,
    vector(functions.map((f) => [0x60, ...vector(f.writer.params.map((p) => [p])), 0x00])),
  );
  section(3, vector(functions.map((_, i) => { const o: number[] = []; unsignedLeb(i, o); return o; })));
  const limits: number[] = [0x00];
  unsignedLeb(memoryPages, limits);
  section(5, vector([limits]));
  const exports = functions.map((f, i) => {
    const o = [...name(f.name), 0x00];
    unsignedLeb(i, o);
    return o;
  });
  exports.push([...name('memory'), 0x02, 0x00]);
  section(7, vector(exports));
  section(10, vector(functions.map((f) => f.writer.encode())));
  return new Uint8Array(bytes);
}
