/**
 * The CPU fallback, in a Web Worker so the page stays responsive: the same
 * WebAssembly SIMD kernel the command line renders with (plain JavaScript
 * where SIMD is missing), same pixels as `cppn-motion still`.
 */
import { createKernel, renderRows, type ForwardKernel, type FrameDescription } from '../../browser/index.js';

export interface CpuRequest {
  id: number;
  frame: FrameDescription;
}

export interface CpuResponse {
  id: number;
  width: number;
  height: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
  backend: string;
  /** Why the frame could not be rendered (then rgba is empty). */
  error?: string;
}

const kernels = new Map<string, ForwardKernel>();

function kernelFor(frame: FrameDescription): ForwardKernel {
  const key = JSON.stringify(frame.shape);
  let kernel = kernels.get(key);
  if (!kernel) {
    kernel = createKernel(frame.shape);
    kernels.set(key, kernel);
  }
  return kernel;
}

/** The worker's global scope, typed by hand: the page is checked against the DOM library, not the worker one. */
const scope = self as unknown as {
  onmessage: (event: MessageEvent<CpuRequest>) => void;
  postMessage(message: CpuResponse, transfer: Transferable[]): void;
};
scope.onmessage = (event: MessageEvent<CpuRequest>) => {
  const { id, frame } = event.data;
  let response: CpuResponse;
  try {
    const kernel = kernelFor(frame);
    const rgba = new Uint8ClampedArray(frame.width * frame.height * 4);
    renderRows(frame, kernel, rgba);
    response = { id, width: frame.width, height: frame.height, rgba, backend: kernel.backend };
  } catch (error) {
    // Every request gets its answer, so the page never waits on a frame that will not come.
    response = { id, width: 0, height: 0, rgba: new Uint8ClampedArray(0), backend: '', error: (error as Error).message ?? String(error) };
  }
  scope.postMessage(response, [response.rgba.buffer]);
};
