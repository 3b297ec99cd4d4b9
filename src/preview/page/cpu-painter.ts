/**
 * Paints frames with the CPU kernel in a Web Worker, onto a 2D canvas. One
 * frame is in flight at a time; asking for another while it renders replaces
 * the waiting request, so a slow machine shows fewer frames rather than
 * falling behind.
 */
import type { FrameDescription } from '../../browser/index.js';
import type { CpuRequest, CpuResponse } from './cpu-worker.js';

export class CpuPainter {
  private readonly worker = new Worker('cpu-worker.js');
  private readonly context: CanvasRenderingContext2D;
  private busy = false;
  private waiting: FrameDescription | undefined;
  private nextId = 1;
  backend = 'wasm-simd';
  /** Called after each frame reaches the canvas. */
  onPainted: () => void = () => {};
  /** Called when the worker could not render a frame. */
  onError: (message: string) => void = (message) => console.error(`the CPU renderer failed: ${message}`);

  constructor(readonly canvas: HTMLCanvasElement) {
    this.context = canvas.getContext('2d')!;
    this.worker.onmessage = (event: MessageEvent<CpuResponse>) => {
      const { width, height, rgba, backend, error } = event.data;
      if (error === undefined) {
        this.backend = backend;
        if (canvas.width !== width) canvas.width = width;
        if (canvas.height !== height) canvas.height = height;
        this.context.putImageData(new ImageData(rgba, width, height), 0, 0);
      } else {
        this.onError(error);
      }
      this.busy = false;
      this.onPainted();
      if (this.waiting) {
        const frame = this.waiting;
        this.waiting = undefined;
        this.paint(frame);
      }
    };
  }

  paint(frame: FrameDescription): void {
    if (this.busy) {
      this.waiting = frame;
      return;
    }
    this.busy = true;
    const request: CpuRequest = { id: this.nextId++, frame };
    this.worker.postMessage(request);
  }

  /** Whether a frame is still being rendered. */
  get pending(): boolean {
    return this.busy || this.waiting !== undefined;
  }

  readPixels(): Uint8Array {
    const { width, height } = this.canvas;
    return new Uint8Array(this.context.getImageData(0, 0, width, height).data.buffer);
  }
}
