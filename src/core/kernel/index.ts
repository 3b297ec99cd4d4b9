import type { NetworkShape } from '../network.js';
import { createJsKernel } from './js-kernel.js';
import type { ForwardKernel, KernelBackend } from './kernel.js';
import { createWasmKernel, wasmSimdSupported } from './wasm-kernel.js';

export type { ForwardKernel, KernelBackend } from './kernel.js';
export { createJsKernel } from './js-kernel.js';
export { createWasmKernel, wasmSimdSupported } from './wasm-kernel.js';
export * from './glsl-kernel.js';
export * from './gpu-inputs.js';
export * from './wgsl-kernel.js';
export { ROUNDING_MAGIC } from './vector-program.js';

export type BackendChoice = KernelBackend | 'auto';

let simd: boolean | undefined;

/** A kernel for the shape: WebAssembly SIMD where available, else plain JavaScript (same pixels). */
export function createKernel(shape: NetworkShape, backend: BackendChoice = 'auto', blockSize?: number): ForwardKernel {
  simd ??= wasmSimdSupported();
  if (backend === 'wasm-simd' || (backend === 'auto' && simd)) return createWasmKernel(shape, blockSize);
  return createJsKernel(shape, blockSize);
}
